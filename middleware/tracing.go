package middleware

import (
	"context"
	"errors"

	"github.com/jwtguard/jwtguard/internal/tracex"
)

func init() {
	tracex.Attach = func(x any, start *tracex.Start) error {
		v, ok := x.(*Verifier)
		switch {
		case !ok || v == nil:
			return errors.New("not a verifier")
		case v.cfg.hook == nil:
			return errors.New("the verifier has no hook (middleware.WithHook) to end its spans")
		case start == nil || *start == nil:
			return errors.New("no start function")
		case !v.start.CompareAndSwap(nil, start):
			return errors.New("the verifier is traced already")
		}
		return nil
	}
	tracex.Detach = func(x any, start *tracex.Start) {
		if v, ok := x.(*Verifier); ok && v != nil {
			v.start.CompareAndSwap(start, nil)
		}
	}
}

// begin returns the context a verification started with ctx runs in: ctx,
// or, when an exporter traces the verifier, the child carrying the
// verification's span. Without one it costs one atomic load.
func (v *Verifier) begin(ctx context.Context) context.Context {
	if s := v.start.Load(); s != nil {
		return (*s)(ctx)
	}
	return ctx
}
