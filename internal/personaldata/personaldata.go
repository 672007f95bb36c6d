// Package personaldata is the vocabulary of the personal-data registry: each
// package that owns tables or files declares, in a PersonalData function,
// whose data every table and column holds, its category, purpose, legal
// basis, retention and what erasure does with it. internal/privacy reads the
// declarations (listed by the wiring in internal/app) to export, erase,
// retain and describe personal data, so those jobs cannot drift apart; a test
// fails when a migration adds a table or column that nobody declared.
//
// The package holds types only, so every package may import it.
package personaldata

import (
	"fmt"
	"strings"
)

// Category says what kind of personal data a column holds.
type Category string

// The categories. None marks a column that holds nothing personal.
const (
	None        Category = ""
	Contact     Category = "contact"      // e-mail addresses, phone numbers
	Identity    Category = "identity"     // names, identifiers, language, profile
	Content     Category = "content"      // what a person wrote or said: messages, notes, comments
	Recording   Category = "recording"    // remote-assistance recordings
	Device      Category = "device"       // IP addresses, user agents, device keys
	Payment     Category = "payment"      // cards, transactions
	SecurityLog Category = "security_log" // sign-in history, audit entries, decisions about a person
	Credential  Category = "credential"   // password hashes, factor secrets, token hashes: never exported
)

// Categories lists every category but None, in the order reports show them.
var Categories = []Category{Contact, Identity, Content, Recording, Device, Payment, SecurityLog, Credential}

// Basis is the legal basis of a processing (GDPR 6(1)).
type Basis string

// The legal bases.
const (
	Contract            Basis = "contract"
	LegalObligation     Basis = "legal_obligation"
	LegitimateInterests Basis = "legitimate_interests"
	Consent             Basis = "consent"
)

// Erasure is what erasing a customer does with their rows of a table.
type Erasure string

// The erasure rules.
const (
	// Delete removes the subject's rows.
	Delete Erasure = "delete"
	// Shred keeps the rows; their personal columns are sealed with the
	// subject's data key, which erasure destroys (the audit trail, whose chain
	// must still verify).
	Shred Erasure = "shred"
	// Keep keeps the rows under a legal hold with their own retention.
	Keep Erasure = "keep"
)

// Row is one database row as the export reads it: column name to value.
type Row map[string]any

// Table declares one table.
type Table struct {
	Name string
	// Subject is an SQL condition on the table that selects the rows of one
	// customer, with a single ? standing for the account id, e.g.
	// "account_id = ?". Empty when the table holds no customer's personal
	// data (settings, reference data, staff-only records).
	Subject string
	// Personal maps each column that holds personal data to its category.
	// A column whose name ends in _sealed is encrypted with the subject's
	// data key.
	Personal map[string]Category
	// Other lists the columns that hold nothing personal.
	Other []string
	// Files lists the personal columns exported as files of their own
	// (attachments, recordings) rather than inside the table's JSON.
	Files []string
	// Purpose says why the data is processed; Basis under which law.
	Purpose string
	Basis   Basis
	// Retention says in a sentence how long rows are kept.
	Retention string
	// Erasure says what erasing the subject does with their rows; the zero
	// value means Delete for a table with a Subject.
	Erasure Erasure
	// Retain names the retention policy (a Policy's Class) that purges the
	// table's rows, and RetainKey the column holding the key of the
	// policy's table (empty: the policy's own Key, for the policy's table).
	// Only policies whose Action is PurgeRows delete the tables that name
	// them.
	Retain    string
	RetainKey string
	// AAD returns the associated data a sealed column of row was sealed
	// with. Nil means the convention "table.column:id", where column is the
	// name without its _sealed suffix and id the row's id column.
	AAD func(column string, row Row) []byte
}

// File declares a kind of file kept in the data directory.
type File struct {
	// Pattern is a path glob relative to the data directory, e.g. "outbox/*.eml".
	Pattern   string
	Category  Category
	Purpose   string
	Basis     Basis
	Retention string
	// Erasure says how erasure reaches these files, in a sentence.
	Erasure string
}

// Action is what a retention policy does with what has expired.
type Action string

// The retention actions.
const (
	// PurgeRows deletes the expired rows of the policy's table and of every
	// table whose Retain names the policy (children first), or, when the
	// policy's table does not name the policy itself, applies Update to it.
	PurgeRows Action = "delete"
	// EraseAccount erases the account (its Key is the account id) through
	// the erasure path.
	EraseAccount Action = "erase"
	// CloseAccount warns the customer by e-mail, then closes the account
	// through the closure path (cool-off, then erasure).
	CloseAccount Action = "close"
)

// Policy is a retention policy: a class of data that goes once it is older
// than its period (GDPR 5(1)(e)). The owning package declares it beside
// its tables; internal/privacy runs it.
type Policy struct {
	// Class names the policy in configuration, reports and tables' Retain.
	Class string
	// Title describes the class in a few words, for the record and reports.
	Title string
	// Days is the default period; 0 means kept until erasure (the policy
	// does nothing until an operator sets a period).
	Days int
	// Table is the table whose rows age out, Key the expression of its key
	// (a column, or an expression for a composite key).
	Table, Key string
	// Age is an SQL expression on Table: when a row started to age.
	Age string
	// Where is an extra SQL condition on Table (may be empty).
	Where string
	// Every expression names Table's columns with the table's name
	// (they run inside subqueries too).
	//
	// Account is an SQL expression on Table giving the customer's account
	// id, so legal holds keep the rows of held customers; empty when the
	// rows are linked to no one.
	Account string
	// Update is an SQL SET list applied to the expired rows of Table when
	// Table itself does not name the policy (only its children go), so that
	// they no longer match Where, e.g. "archive_path = NULL".
	Update string
	Action Action
}

// Set is what one package declares.
type Set struct {
	// Owner is the package directory, e.g. "internal/identity".
	Owner    string
	Tables   []Table
	Files    []File
	Policies []Policy
}

// Sealed reports whether a column is encrypted with the subject's data key.
func Sealed(column string) bool { return strings.HasSuffix(column, "_sealed") }

// EraseRule returns the table's erasure rule with the default applied.
func (t Table) EraseRule() Erasure {
	if t.Erasure == "" && t.Subject != "" {
		return Delete
	}
	return t.Erasure
}

// SealedAAD returns the associated data of a sealed column of row.
func (t Table) SealedAAD(column string, row Row) []byte {
	if t.AAD != nil {
		return t.AAD(column, row)
	}
	return []byte(t.Name + "." + strings.TrimSuffix(column, "_sealed") + ":" + fmt.Sprint(row["id"]))
}

// Columns returns every declared column of the table, personal or not.
func (t Table) Columns() map[string]Category {
	out := make(map[string]Category, len(t.Personal)+len(t.Other))
	for c, cat := range t.Personal {
		out[c] = cat
	}
	for _, c := range t.Other {
		out[c] = None
	}
	return out
}

// IsFile reports whether column is exported as a file.
func (t Table) IsFile(column string) bool {
	for _, f := range t.Files {
		if f == column {
			return true
		}
	}
	return false
}

// Check reports declarations that contradict themselves: a column both
// personal and not, a personal table without purpose, basis or retention,
// an unknown category, a file column that is not personal.
func (s Set) Check() []string {
	var problems []string
	bad := func(t Table, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: table %s: ", s.Owner, t.Name)+fmt.Sprintf(format, args...))
	}
	known := map[Category]bool{}
	for _, c := range Categories {
		known[c] = true
	}
	for _, t := range s.Tables {
		for _, c := range t.Other {
			if _, dup := t.Personal[c]; dup {
				bad(t, "column %s is declared both personal and not", c)
			}
		}
		for c, cat := range t.Personal {
			if !known[cat] {
				bad(t, "column %s has unknown category %q", c, cat)
			}
		}
		for _, f := range t.Files {
			if _, ok := t.Personal[f]; !ok {
				bad(t, "file column %s is not declared personal", f)
			}
		}
		if len(t.Personal) > 0 && (t.Purpose == "" || t.Basis == "" || t.Retention == "") {
			bad(t, "personal data needs a purpose, a legal basis and a retention rule")
		}
		if t.RetainKey != "" && t.Retain == "" {
			bad(t, "RetainKey without Retain")
		}
		if len(t.Personal) > 0 && t.Subject == "" && t.Erasure == "" {
			bad(t, "personal data without a Subject needs an Erasure rule saying why erasure leaves it")
		}
	}
	for _, p := range s.Policies {
		switch {
		case p.Class == "" || p.Title == "" || p.Table == "" || p.Key == "" || p.Age == "":
			problems = append(problems, fmt.Sprintf("%s: policy %q needs a class, title, table, key and age", s.Owner, p.Class))
		case p.Days < 0:
			problems = append(problems, fmt.Sprintf("%s: policy %s: negative default period", s.Owner, p.Class))
		}
		switch p.Action {
		case PurgeRows, EraseAccount, CloseAccount:
		default:
			problems = append(problems, fmt.Sprintf("%s: policy %s: unknown action %q", s.Owner, p.Class, p.Action))
		}
	}
	return problems
}
