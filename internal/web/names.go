package web

import (
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
)

// Staff see people, roles and permissions by name; the machine names
// (agent, customers:read) stay for the hover text and detail views.

// RoleKey is the translation key of a role's name.
func RoleKey(role string) string { return "role." + role }

// PermissionKey is the translation key of a permission's name:
// "customers:read" is "perm.customers.read".
func PermissionKey(perm string) string { return "perm." + strings.ReplaceAll(perm, ":", ".") }

// Role is a role's name in the page's language; a role the business
// defined keeps the name it was given.
func (v View) Role(role string) string { return v.named(RoleKey(role), role) }

// Permission is a permission's name in the page's language.
func (v View) Permission(perm string) string { return v.named(PermissionKey(perm), perm) }

// named translates key, or returns fallback when no catalog has it.
func (v View) named(key, fallback string) string {
	if _, ok := v.cat[key]; ok {
		return v.cat[key]
	}
	if _, ok := v.en[key]; ok {
		return v.en[key]
	}
	return fallback
}

// RolesWith lists the built-in roles that carry perm, in the order the
// documents show them.
func RolesWith(perm string) []string {
	var out []string
	for _, r := range access.BuiltInRoles {
		if slices.Contains(access.Roles[r], perm) {
			out = append(out, r)
		}
	}
	return out
}

// Named is the message of key, or fallback when no catalog has it: for
// names of things the program may add to (audit target kinds, outcomes).
func (v View) Named(key, fallback string) string { return v.named(key, fallback) }
