// Package tracex is the plumbing that lets the otel module start a
// verification's span before the verification runs, so that what the
// verification does (a key-set fetch it starts or waits for) happens in a
// context carrying that span, and is recorded as its child. The span is
// ended by the verifier's hook, with the outcome's event: the event's
// Context is the one Start returned.
//
// Package middleware sets the functions, so that it need not export them.
// The otel module, a module of its own, imports this package: a user may
// pair one version of it with another of the core. So this package only
// ever grows: a function is added, never renamed, retyped or removed.
package tracex

import "context"

// Start is called at the beginning of every verification (Verify,
// VerifyRequest) with its context, and returns the context the
// verification runs in and its events carry. It must return a child of
// ctx (or ctx), never nil.
type Start func(ctx context.Context) context.Context

var (
	// Attach makes verifier, a *middleware.Verifier, call start from now
	// on. It fails when verifier is not one, has no hook (nothing would
	// end a span started), or calls another Start already.
	Attach func(verifier any, start *Start) error

	// Detach stops verifier calling start, if it does.
	Detach func(verifier any, start *Start)
)
