package rbac

import (
	"fmt"
	"strings"
)

func src(k Kind, shape Shape, path ...string) Source {
	return Source{Kind: k, Path: Path(path), Shape: shape}
}

// Default reads a plain "roles" array and the scopes ("scope", or "scp" as
// an array or a string, as every preset does): what jwttest and many custom
// issuers produce.
func Default() []Source {
	return append([]Source{src(KindRole, ShapeArray, "roles")}, scopes()...)
}

// scopes are every preset's scope sources, which read what
// middleware.Claims.Scopes reads: the "scope" string, or, when "scope" is
// absent or null, "scp" as an array or a space-separated string.
func scopes() []Source {
	scp := src(KindScope, ShapeNames, "scp")
	scp.Unless = Path{"scope"}
	return []Source{src(KindScope, ShapeSpaceDelimited, "scope"), scp}
}

// Keycloak reads realm roles (realm_access.roles), the roles of client
// clientID (resource_access.<clientID>.roles), the scopes and the
// "groups" array (present when a group-membership mapper is configured).
// Realm and client roles both become roles: name them apart in Keycloak if
// they must not be confused. An empty clientID reads realm roles only.
func Keycloak(clientID string) []Source {
	s := append([]Source{
		src(KindRole, ShapeArray, "realm_access", "roles"),
		src(KindGroup, ShapeArray, "groups"),
	}, scopes()...)
	if clientID != "" {
		s = append(s, src(KindRole, ShapeArray, "resource_access", clientID, "roles"))
	}
	return s
}

// Auth0 reads "permissions" (RBAC with "Add Permissions in the Access
// Token"), the scopes, and roles from rolesClaim, the namespaced
// claim an Action adds (e.g. "https://example.com/roles"); rolesClaim is a
// claim name, not a path, so its dots and slashes need no quoting. An empty
// rolesClaim reads no roles.
func Auth0(rolesClaim string) []Source {
	s := append([]Source{src(KindPermission, ShapeArray, "permissions")}, scopes()...)
	if rolesClaim != "" {
		s = append(s, src(KindRole, ShapeArray, rolesClaim))
	}
	return s
}

// EntraID reads Microsoft Entra ID access tokens: app roles ("roles"),
// delegated scopes ("scp", a space-delimited string) and group object IDs
// ("groups").
func EntraID() []Source {
	return append([]Source{
		src(KindRole, ShapeArray, "roles"),
		src(KindGroup, ShapeArray, "groups"),
	}, scopes()...)
}

// Okta reads Okta access tokens: scopes ("scp", an array) and "groups"
// (when a groups claim is configured on the authorization server).
func Okta() []Source {
	return append([]Source{src(KindGroup, ShapeArray, "groups")}, scopes()...)
}

// Cognito reads Amazon Cognito access tokens: user pool groups
// ("cognito:groups") and the scopes ("scope").
func Cognito() []Source {
	return append([]Source{src(KindGroup, ShapeArray, "cognito:groups")}, scopes()...)
}

// OIDC reads the scopes only: Google and generic OpenID Connect
// providers that put nothing else in access tokens.
func OIDC() []Source {
	return scopes()
}

// Dex reads Dex tokens: "groups" (from the connector, with the groups
// scope) and the scopes.
func Dex() []Source {
	return append([]Source{src(KindGroup, ShapeArray, "groups")}, scopes()...)
}

// Zitadel reads ZITADEL's project roles, an object whose member names are
// the roles ({"admin": {"<org id>": "<org domain>"}}), and the scopes. With
// a projectID it reads only that project's roles
// ("urn:zitadel:iam:org:project:<projectID>:roles", present when the scope
// urn:zitadel:iam:org:projects:roles is requested): the unscoped
// "urn:zitadel:iam:org:project:roles" holds the roles of the requesting
// client's project, which need not be this API's. Without one it reads the
// unscoped claim, for an API in the client's own project. The roles are
// granted whatever organisations the member values name.
func Zitadel(projectID string) []Source {
	if projectID != "" {
		return append([]Source{src(KindRole, ShapeObjectKeys, "urn:zitadel:iam:org:project:"+projectID+":roles")}, scopes()...)
	}
	return append([]Source{src(KindRole, ShapeObjectKeys, "urn:zitadel:iam:org:project:roles")}, scopes()...)
}

// Hydra reads Ory Hydra access tokens: the scopes ("scp", an array) and,
// when rolesClaim is given, a roles array under that name, which Hydra
// writes at the top level when the claim is allowed there
// (oauth2.allowed_top_level_claims) and under "ext" in any case.
func Hydra(rolesClaim string) []Source {
	s := scopes()
	if rolesClaim != "" {
		s = append(s, src(KindRole, ShapeArray, rolesClaim), src(KindRole, ShapeArray, "ext", rolesClaim))
	}
	return s
}

// PresetNames lists the names Preset accepts.
func PresetNames() []string {
	return []string{"default", "keycloak", "auth0", "entra", "okta", "cognito", "oidc", "dex", "zitadel", "hydra"}
}

// Preset returns a preset by name, for configuration files and flags. param
// is the Keycloak client ID, the Auth0 or Hydra roles claim, or the
// ZITADEL project ID; the other presets take none.
func Preset(name, param string) ([]Source, error) {
	switch strings.ToLower(name) {
	case "default", "":
		return Default(), nil
	case "keycloak":
		return Keycloak(param), nil
	case "auth0":
		return Auth0(param), nil
	case "entra", "entraid", "azure":
		return EntraID(), nil
	case "okta":
		return Okta(), nil
	case "cognito":
		return Cognito(), nil
	case "oidc", "google":
		return OIDC(), nil
	case "dex":
		return Dex(), nil
	case "zitadel":
		return Zitadel(param), nil
	case "hydra", "ory":
		return Hydra(param), nil
	}
	return nil, fmt.Errorf("rbac: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
}
