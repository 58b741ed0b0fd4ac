// Package revocation cuts tokens off before they expire: one token (jti),
// every token of a user issued before a moment (sub), or every token of a
// login session (sid), on every instance of a service at once.
//
// # Quick start
//
//	store := revocation.NewMemory() // one instance; redisstore.New for many
//	v, err := middleware.New(issuers, middleware.WithRevocation(store))
//	…
//	err = store.Revoke(ctx, revocation.Revocation{
//		Kind: revocation.BySubject, Issuer: "https://id.example.com", Value: userID,
//		Reason: "password reset",
//	})
//
// A revoked token then gets 401 invalid_token (reason token_revoked). The
// check runs after the signature and every claim pass, from memory, without
// allocation: about 10–80 ns.
//
// # Which store
//
//   - Memory: a single instance, or tests. Bounded (WithMaxEntries); an
//     entry leaves once every token it covers has expired. Lost on restart.
//   - redisstore: several instances. Revocations are written to Redis and
//     published; every instance applies them within milliseconds and keeps a
//     local copy, resynced periodically, so the check never waits on the
//     network. When Redis is unreachable, or hangs, the last state is
//     enforced for a bound (30 s from the start of the last resync that
//     succeeded), then requests fail closed with 503 (reason
//     revocation_unavailable). With Redis persistence on, nothing revoked is
//     forgotten by a restart.
//
// Both keep their entries in the same in-memory state: the check takes no
// lock and allocates nothing, a revocation costs O(log n), and a Redis
// resync adds what is new instead of rebuilding (BenchmarkStateRevoke,
// BenchmarkStateCheck and BenchmarkStateResync at 10k, 100k and 1M
// entries).
//
// # A store of your own
//
// A Store is what the verifier (middleware.WithRevocation) and the two
// handlers need; see its documentation for what an implementation must
// hold. The simplest correct one keeps a Memory on each instance and
// answers IsRevoked, Leeway and List from it, applying with Memory.Revoke
// both the revocations made on that instance and those it learns from the
// others.
//
// # Back-channel logout and administration
//
// LogoutHandler implements OpenID Connect Back-Channel Logout 1.0: mount it
// at the URI registered with the provider, and a user's logout revokes the
// tokens of that session. AdminHandler serves a small JSON API to list and
// add revocations, behind an rbac policy.
//
// # Security defaults
//
//   - Revocations are scoped by issuer: the same sub at two issuers is two users.
//   - A subject revocation covers tokens issued before the cutoff plus the
//     verifier's leeway (WithLeeway, 60 s by default, as the verifier's): the
//     verifier accepts an iat that far in the future, so a token minted just
//     before a logout by an issuer whose clock runs ahead is covered. The
//     price: the user's tokens issued within the leeway after the cutoff are
//     refused too. Tokens without iat are covered (they cannot show they were
//     issued after). Entries are kept twice the leeway past their expiry.
//   - A full store refuses new revocations rather than drop one.
//   - Stores fail closed: a state that cannot be refreshed within its bound
//     makes IsRevoked fail, and the verifier answers 503.
package revocation
