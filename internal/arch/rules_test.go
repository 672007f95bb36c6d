package arch

// Levels from the bottom up. A package may import any package of a lower
// level; within one level, only what sameLevel allows.
const (
	shared  = iota // services every feature uses; they know no feature
	feature        // the rooms of the product, ranked among themselves
	toolkit        // internal/web: routes, errors, decoding, rendering
	area           // the web areas: portal, console, api, live
	server         // internal/web/server mounts the areas
	app            // configuration, wiring, CLI subcommands
	command        // cmd/...: main only
	outside        // whole-program tests, benchmarks and this package
)

var levelNames = [...]string{"shared service", "feature", "web toolkit", "web area", "web server", "app", "command", "outside"}

// row puts the packages matching pattern ("x/..." is x and everything below
// it, relative to the module) on a level. Features also carry a rank: a
// feature may import features of a lower rank only, so an import that closes
// a cycle, or one between features of the same rank, fails until the table
// says otherwise.
type row struct {
	pattern string
	level   int
	rank    int
}

// rules is the table. The longest matching pattern decides a package's row;
// packages matching the same pattern always may import each other (a
// package and its own sub-packages, such as identity/identitytest).
var rules = []row{
	{"internal/db/...", shared, 0},
	{"internal/keyring/...", shared, 0},
	{"internal/audit/...", shared, 0},
	{"internal/notify/...", shared, 0},
	{"internal/bus/...", shared, 0},
	{"internal/textfold/...", shared, 0},
	{"internal/csvsafe/...", shared, 0},
	{"internal/password/...", shared, 0},
	{"internal/mailin/...", shared, 0},
	{"internal/fault/...", shared, 0},        // the error kinds features share
	{"internal/locale/...", shared, 0},       // BCP 47 tags read once
	{"internal/personaldata/...", shared, 0}, // the registry's vocabulary: every owner declares with it
	{"internal/backup/...", shared, 0},       // snapshots of the database and files; knows no feature

	{"internal/identity/...", feature, 1}, // accounts, sessions: everybody's base
	{"internal/kb/...", feature, 1},
	{"internal/access/...", feature, 2},     // staff roles on identity's accounts
	{"internal/mfa/...", feature, 2},        // second factors of identity's accounts
	{"internal/support/...", feature, 2},    // uses identity and kb
	{"internal/assist/...", feature, 3},     // uses access, identity, support
	{"internal/risk/...", feature, 3},       // sign-in risk and staff monitoring: uses identity, access, mfa
	{"internal/privacy/...", feature, 4},    // reads the registry; uses identity for accounts
	{"internal/automation/...", feature, 3}, // service accounts: roles from access
	{"internal/oidc/...", feature, 2},       // the OpenID provider, on identity's accounts and sessions
	{"internal/consent/...", feature, 2},    // the consent ledger: asked by assist (recording) and the web (analytics)
	{"internal/brand/...", feature, 1},      // the business's colour, logo and favicon

	{"internal/web/...", toolkit, 0}, // the toolkit and anything else under web
	{"internal/web/portal/...", area, 0},
	{"internal/web/console/...", area, 0},
	{"internal/web/api/...", area, 0},
	{"internal/web/live/...", area, 0},
	{"internal/web/admin/...", area, 0},
	{"internal/web/sso/...", area, 0},
	{"internal/web/server/...", server, 0},

	{"internal/app/...", app, 0},
	{"cmd/...", command, 0},

	{"e2e/...", outside, 0},
	{"bench/...", outside, 0},
	{"internal/arch/...", outside, 0},
}

// sameLevel reports whether a package in row from may import one in row to
// when both rows are on one level and differ.
func sameLevel(from, to row) bool {
	switch from.level {
	case shared, outside:
		return true
	case feature:
		return to.rank < from.rank
	default: // the web areas do not import each other; the rest are one row
		return false
	}
}
