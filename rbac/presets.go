package rbac

import (
	"fmt"
	"strings"
)

func src(k Kind, shape Shape, path ...string) Source {
	return Source{Kind: k, Path: Path(path), Shape: shape}
}

// Default reads a plain "roles" array and the "scope" string: what jwttest
// and many custom issuers produce.
func Default() []Source {
	return []Source{
		src(KindRole, ShapeArray, "roles"),
		src(KindScope, ShapeSpaceDelimited, "scope"),
	}
}

// Keycloak reads realm roles (realm_access.roles), the roles of client
// clientID (resource_access.<clientID>.roles), the "scope" string and the
// "groups" array (present when a group-membership mapper is configured).
// Realm and client roles both become roles: name them apart in Keycloak if
// they must not be confused. An empty clientID reads realm roles only.
func Keycloak(clientID string) []Source {
	s := []Source{
		src(KindRole, ShapeArray, "realm_access", "roles"),
		src(KindScope, ShapeSpaceDelimited, "scope"),
		src(KindGroup, ShapeArray, "groups"),
	}
	if clientID != "" {
		s = append(s, src(KindRole, ShapeArray, "resource_access", clientID, "roles"))
	}
	return s
}

// Auth0 reads "permissions" (RBAC with "Add Permissions in the Access
// Token"), the "scope" string, and roles from rolesClaim, the namespaced
// claim an Action adds (e.g. "https://example.com/roles"); rolesClaim is a
// claim name, not a path, so its dots and slashes need no quoting. An empty
// rolesClaim reads no roles.
func Auth0(rolesClaim string) []Source {
	s := []Source{
		src(KindPermission, ShapeArray, "permissions"),
		src(KindScope, ShapeSpaceDelimited, "scope"),
	}
	if rolesClaim != "" {
		s = append(s, src(KindRole, ShapeArray, rolesClaim))
	}
	return s
}

// EntraID reads Microsoft Entra ID access tokens: app roles ("roles"),
// delegated scopes ("scp", space-delimited) and group object IDs ("groups").
func EntraID() []Source {
	return []Source{
		src(KindRole, ShapeArray, "roles"),
		src(KindScope, ShapeSpaceDelimited, "scp"),
		src(KindGroup, ShapeArray, "groups"),
	}
}

// Okta reads Okta access tokens: scopes ("scp", an array) and "groups"
// (when a groups claim is configured on the authorization server).
func Okta() []Source {
	return []Source{
		src(KindScope, ShapeArray, "scp"),
		src(KindGroup, ShapeArray, "groups"),
	}
}

// Cognito reads Amazon Cognito access tokens: user pool groups
// ("cognito:groups") and the "scope" string.
func Cognito() []Source {
	return []Source{
		src(KindGroup, ShapeArray, "cognito:groups"),
		src(KindScope, ShapeSpaceDelimited, "scope"),
	}
}

// OIDC reads the "scope" string only: Google and generic OpenID Connect
// providers that put nothing else in access tokens.
func OIDC() []Source {
	return []Source{src(KindScope, ShapeSpaceDelimited, "scope")}
}

// PresetNames lists the names Preset accepts.
func PresetNames() []string {
	return []string{"default", "keycloak", "auth0", "entra", "okta", "cognito", "oidc"}
}

// Preset returns a preset by name, for configuration files and flags. param
// is the Keycloak client ID or the Auth0 roles claim; the other presets
// take none.
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
	}
	return nil, fmt.Errorf("rbac: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
}
