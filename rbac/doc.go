// Package rbac reads roles, scopes, permissions and groups from verified
// claims, whatever identity provider issued them, and evaluates per-handler
// policies over them. It is pure authorization: no net/http (package nethttp
// and the router adapters enforce policies on requests).
//
// # Quick start
//
//	mapper := rbac.MustNewMapper(rbac.Keycloak("orders-api"),
//		rbac.WithRoleHierarchy(map[string][]string{"admin": {"editor"}, "editor": {"viewer"}}))
//	api := nethttp.Protect(v, nethttp.WithMapper(mapper))
//	mux.Handle("DELETE /items/{id}", api(nethttp.Require(rbac.Role("admin"))(deleteItem)))
//	mux.Handle("POST /items", api(nethttp.Require(rbac.AllOf(rbac.AnyRoles("admin", "editor"), rbac.Scope("items:write")))(createItem)))
//
// Inside a handler: rbac.Allowed(r.Context(), policy).
//
// # Authorities and sources
//
// A Mapper reads Sources: a kind (role, scope, permission, group), a claim
// Path and a Shape (space-delimited string, array of strings, single string,
// or object whose member names are the authorities). Kinds are kept apart: a
// role "admin" never satisfies a scope "admin". Presets cover Keycloak,
// Auth0, Microsoft Entra ID, Okta, Amazon Cognito, generic OIDC and a plain
// "roles" + "scope" Default.
//
// A claim that is present with the wrong shape (a number, an object, null, an
// array holding a non-string) grants nothing and is reported to the
// WithMismatchHook function: it never errors and never allows.
//
// # Paths
//
// Dots separate nested claims (realm_access.roles); a claim name holding
// dots or brackets is quoted in brackets (["https://example.com/roles"],
// resource_access["orders.api"].roles). Colons and slashes need no quoting
// (cognito:groups). See Path.
//
// # Policies
//
// Role, Scope, Permission and Group require one authority; AllOf and AnyOf
// combine policies to any depth; Authenticated allows any verified token.
// The zero Policy, and an empty AllOf or AnyOf, deny. A role hierarchy
// declared on the Mapper expands roles once per request; scope wildcards
// ("items:*") grant by prefix only when declared. Rule is the declarative
// form, for JSON or YAML configuration. Evaluation does not allocate.
package rbac
