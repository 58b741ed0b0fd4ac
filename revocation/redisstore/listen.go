package redisstore

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
	"github.com/redis/go-redis/v9"
)

// listen applies published revocations and keeps the subscription honest.
// Every (re)subscription starts a resync, which repairs what was published
// while it was down: go-redis resubscribes by itself after a connection
// error, and the confirmation arrives here. A connection that dies
// silently gives no error: when nothing arrives for a ping interval the
// subscription is pinged, and when the ping is not answered within another
// one it is made anew, on a new connection.
func (s *Store) listen(ctx context.Context, ps *redis.PubSub) {
	defer s.wg.Done()
	pinged := false // a ping is unanswered
	for {
		msg, err := ps.ReceiveTimeout(ctx, s.o.ping)
		if ctx.Err() != nil || errors.Is(err, redis.ErrClosed) {
			return
		}
		var timeout net.Error
		switch m := msg.(type) {
		case *redis.Subscription:
			pinged = false
			if m.Kind == "subscribe" {
				s.requestResync()
			}
		case *redis.Pong:
			pinged = false
		case *redis.Message:
			pinged = false
			r, err := revstate.Decode([]byte(m.Payload))
			if err != nil {
				s.o.logger.Warn("redisstore: ignoring an unreadable message")
				continue
			}
			s.apply(r)
		}
		switch {
		case err == nil:
		case errors.As(err, &timeout) && timeout.Timeout() && !pinged:
			pinged = ps.Ping(ctx) == nil
		case errors.As(err, &timeout) && timeout.Timeout():
			s.o.logger.Warn("redisstore: the subscription did not answer a ping; subscribing again")
			if ps = s.resubscribe(ctx); ps == nil {
				return
			}
			pinged = false
		default:
			// A connection error: go-redis reconnects, and resubscribes, on
			// the next receive.
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// resubscribe replaces the subscription with one on a new connection, or
// returns nil once the store is closed.
func (s *Store) resubscribe(ctx context.Context) *redis.PubSub {
	s.psMu.Lock()
	defer s.psMu.Unlock()
	if s.closed {
		return nil
	}
	_ = s.pubsub.Close()
	s.pubsub = s.rdb.Subscribe(ctx, s.channel) // it connects, and confirms, on the first receive
	return s.pubsub
}

func (s *Store) requestResync() {
	select {
	case s.resyncNow <- struct{}{}:
	default:
	}
}
