package middleware

import (
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// rejectionEvery is how often refusals of one reason and issuer are logged
// at info level: the first one is logged at once; the next ones are counted,
// and their number goes with the next line of that reason and issuer, a
// minute or more later. A flood of refused tokens (garbage, a client
// retrying) therefore writes at most one line per reason and configured
// issuer a minute, whatever its rate; the price is that, for that minute,
// it also hides other causes of the same reason and issuer (debug level and
// WithHook see every refusal). The cause is not compared: that would format
// every refused token's error, which a flood must not cost.
const rejectionEvery = time.Minute

// rejectionLog decides which refusals get a line at info level. Its keys
// are the package's reason codes and the configured issuers (or none),
// never anything a token chose, so it is bounded.
type rejectionLog struct {
	mu    sync.Mutex
	slots []rejectionSlot // one per reason and issuer seen, in the order first seen: at most reasons × (configured issuers + 1)
}

type rejectionSlot struct {
	reason   reason.Code
	issuer   string        // a configured issuer's URL, or ""
	next     time.Duration // before this time (since the verifier's start) refusals are only counted
	lastLine time.Duration // when the last line was written
	skipped  int64         // refusals not logged since the last line
}

// admit reports whether a refusal for r of the configured issuer at now
// (since the verifier's start) gets a line and, when it does, how many of
// the same reason and issuer were not logged since their previous line, and
// how long ago that line was. The slots are scanned: there are no more than
// the reasons times the configured issuers (and none), and a scan hashes
// nothing.
func (l *rejectionLog) admit(r reason.Code, issuer string, now time.Duration) (ok bool, skipped int64, since time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s *rejectionSlot
	for i := range l.slots {
		if l.slots[i].reason == r && l.slots[i].issuer == issuer {
			s = &l.slots[i]
			break
		}
	}
	switch {
	case s == nil:
		l.slots = append(l.slots, rejectionSlot{reason: r, issuer: issuer})
		s = &l.slots[len(l.slots)-1]
	case now < s.next:
		s.skipped++
		return false, 0, 0
	}
	skipped, since = s.skipped, now-s.lastLine
	s.next, s.lastLine, s.skipped = now+rejectionEvery, now, 0
	return true, skipped, since
}
