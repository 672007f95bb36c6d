package identity

import "github.com/frontdesk/frontdesk/internal/keyring"

// SealedAccount is what a new account's row and search tokens hold of its
// e-mail, name and phone: the blind index, the sealed columns and the
// account_search rows, exactly as ImportAccounts writes them. A loader that
// writes accounts in bulk outside this package (bench/backup's seeder) uses
// it, so that what it writes signs in, opens and is found like an imported
// account; it writes no audit entry of its own and is not a product path.
type SealedAccount struct {
	EmailIndex                           []byte
	EmailSealed, NameSealed, PhoneSealed []byte // name and phone nil when empty
	Search                               []SearchToken
}

// SearchToken is one row of account_search for an account.
type SearchToken struct {
	Token []byte
	Field string
}

// AccountKeySubject is the keyring subject of an account's data key.
func AccountKeySubject(accountID string) string { return subject(accountID) }

// SealAccount seals an account's e-mail, name and phone (already
// normalised, as the import's reader leaves them) with key, the data key of
// AccountKeySubject(id), and computes its blind index and search tokens.
func (s *Service) SealAccount(key *keyring.DataKey, id, email, name, phone string) SealedAccount {
	out := SealedAccount{EmailIndex: s.emailIndex(email), EmailSealed: key.Seal([]byte(email), aad(id, "email"))}
	if name != "" {
		out.NameSealed = key.Seal([]byte(name), aad(id, "name"))
	}
	if phone != "" {
		out.PhoneSealed = key.Seal([]byte(phone), aad(id, "phone"))
	}
	for _, t := range searchTokens(email, name, phone) {
		out.Search = append(out.Search, SearchToken{Token: s.token(t.field, t.v), Field: t.field})
	}
	return out
}
