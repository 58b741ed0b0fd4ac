package middleware

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// rejectionEvery is how often a refusal of one reason is logged at info
// level: the first refusal of each reason is logged at once, the next
// ones are counted and their number goes with the next line of that
// reason, a minute or more later. A flood of refused tokens (garbage, a
// misconfigured client retrying) therefore writes at most one line per
// reason a minute, whatever its rate.
const rejectionEvery = time.Minute

// rejectionLog decides which refusals get a line at info level.
type rejectionLog struct {
	slots sync.Map // reason.Code -> *rejectionSlot; the codes are the package's own, never a token's
}

type rejectionSlot struct {
	next    atomic.Int64 // monotonic nanoseconds from the verifier's start before which lines are skipped
	skipped atomic.Int64 // refusals not logged since the last line
}

// admit reports whether a refusal for r at now (since start) gets a line,
// and how many of r's refusals were skipped since the last one.
func (l *rejectionLog) admit(r reason.Code, now time.Duration) (ok bool, skipped int64) {
	v, found := l.slots.Load(r)
	if !found {
		v, _ = l.slots.LoadOrStore(r, new(rejectionSlot))
	}
	s := v.(*rejectionSlot)
	next := s.next.Load()
	if int64(now) < next || !s.next.CompareAndSwap(next, int64(now+rejectionEvery)) {
		s.skipped.Add(1)
		return false, 0
	}
	return true, s.skipped.Swap(0)
}
