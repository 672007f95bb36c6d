package mfa_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// The tests drive the passkey ceremonies with a software authenticator
// written from the WebAuthn specification, apart from the library under
// test: it reads the options as a browser would, builds authenticator data
// and client data itself, and signs with its own P-256 key.

const (
	waRPID   = "bank.example"
	waOrigin = "https://bank.example"
	waIP     = "203.0.113.9"
)

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagBE = 0x08 // backup eligible
	flagBS = 0x10 // backed up
	flagAT = 0x40 // attested credential data included
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// softKey is a passkey held in memory.
type softKey struct {
	t         *testing.T
	key       *ecdsa.PrivateKey
	id        []byte
	handle    []byte // the user handle given at registration
	count     uint32 // the signature counter, advanced before each assertion
	noCounter bool   // like synced passkeys: the counter stays 0
	cose      []byte // the COSE public key registered
	x         []byte // its X coordinate
}

func newSoftKey(t *testing.T) *softKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &softKey{t: t, key: key, id: id}
}

// ceremony is what the browser and authenticator put into a response; a
// test changes it to forge one.
type ceremony struct {
	typ, origin, rpID, challenge string
	flags                        byte
	alg                          int64 // COSE algorithm claimed at registration
	signer                       *ecdsa.PrivateKey
}

// waOptions is the part of the creation or request options a browser reads;
// encoding/json matches the camelCase keys ("rpId") to these names ignoring case.
type waOptions struct {
	PublicKey struct {
		Challenge string
		Timeout   int
		RPID      string
		RP        struct{ ID, Name string }
		User      struct{ ID, Name, DisplayName string }

		PubKeyCredParams []struct {
			Type string
			Alg  int64
		}
		ExcludeCredentials     []struct{ Type, ID string }
		AllowCredentials       []struct{ Type, ID string }
		AuthenticatorSelection struct {
			ResidentKey        string
			RequireResidentKey *bool
			UserVerification   string
		}
		UserVerification string
		Attestation      string
	}
}

func readOptions(t *testing.T, raw json.RawMessage) waOptions {
	t.Helper()
	var o waOptions
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("options %s: %v", raw, err)
	}
	if c, err := base64.RawURLEncoding.DecodeString(o.PublicKey.Challenge); err != nil || len(c) < 16 {
		t.Fatalf("challenge %q is not 128 random bits or more: %v", o.PublicKey.Challenge, err)
	}
	return o
}

func clientData(c *ceremony) []byte {
	b, _ := json.Marshal(map[string]any{"type": c.typ, "challenge": c.challenge, "origin": c.origin, "crossOrigin": false})
	return b
}

// create answers creation options like navigator.credentials.create with
// "none" attestation.
func (a *softKey) create(raw json.RawMessage, change ...func(*ceremony)) []byte {
	a.t.Helper()
	o := readOptions(a.t, raw).PublicKey
	c := &ceremony{typ: "webauthn.create", origin: waOrigin, rpID: o.RP.ID, challenge: o.Challenge,
		flags: flagUP | flagUV | flagBE | flagBS | flagAT, alg: -7}
	for _, f := range change {
		f(c)
	}
	handle, err := base64.RawURLEncoding.DecodeString(o.User.ID)
	if err != nil {
		a.t.Fatalf("user id %q: %v", o.User.ID, err)
	}
	a.handle = handle
	pub, err := a.key.PublicKey.ECDH()
	if err != nil {
		a.t.Fatal(err)
	}
	point := pub.Bytes() // 0x04 || X || Y
	a.x = point[1:33]
	a.cose, err = webauthncbor.Marshal(map[int]any{1: 2, 3: c.alg, -1: 1, -2: point[1:33], -3: point[33:]})
	if err != nil {
		a.t.Fatal(err)
	}
	rpHash := sha256.Sum256([]byte(c.rpID))
	authData := append(rpHash[:], c.flags)
	authData = binary.BigEndian.AppendUint32(authData, a.count)
	authData = append(authData, make([]byte, 16)...) // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(a.id)))
	authData = append(authData, a.id...)
	authData = append(authData, a.cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		a.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64(a.id), "rawId": b64(a.id), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": b64(clientData(c)), "attestationObject": b64(att),
			"transports": []string{"internal", "hybrid"}},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

// get answers request options like navigator.credentials.get.
func (a *softKey) get(raw json.RawMessage, change ...func(*ceremony)) []byte {
	a.t.Helper()
	o := readOptions(a.t, raw).PublicKey
	if len(o.AllowCredentials) > 0 && !slices.ContainsFunc(o.AllowCredentials, func(d struct{ Type, ID string }) bool { return d.ID == b64(a.id) }) {
		a.t.Fatalf("the options do not allow this passkey: %+v", o.AllowCredentials)
	}
	c := &ceremony{typ: "webauthn.get", origin: waOrigin, rpID: o.RPID, challenge: o.Challenge,
		flags: flagUP | flagUV | flagBE | flagBS, signer: a.key}
	for _, f := range change {
		f(c)
	}
	if !a.noCounter {
		a.count++
	}
	rpHash := sha256.Sum256([]byte(c.rpID))
	authData := binary.BigEndian.AppendUint32(append(rpHash[:], c.flags), a.count)
	cdj := clientData(c)
	cdHash := sha256.Sum256(cdj)
	digest := sha256.Sum256(append(slices.Clone(authData), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.signer, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64(a.id), "rawId": b64(a.id), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": b64(cdj), "authenticatorData": b64(authData),
			"signature": b64(sig), "userHandle": b64(a.handle)},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

// waKit is an identity service with the second-factor service at
// https://bank.example.
type waKit struct {
	*identitytest.Kit
	t   *testing.T
	svc *mfa.Service
}

func newWAKit(t *testing.T) *waKit {
	t.Helper()
	k := identitytest.New(t, "default")
	// Refusals are logged at debug level: shown with -v or when a test fails.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := mfa.New(mfa.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Identity: k.Svc, Issuer: "Acme Bank", BaseURL: "https://bank.example", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return &waKit{Kit: k, t: t, svc: svc}
}

// passwordSession registers email and signs in with the password alone.
func (k *waKit) passwordSession(email string) *identity.Principal {
	k.t.Helper()
	k.Register(email)
	res, err := k.SignIn(email, identitytest.Password, waIP)
	if err != nil || res.Token == "" {
		k.t.Fatalf("sign in: %+v %v", res, err)
	}
	return k.Principal(res.Token)
}

// enrol registers email and adds the passkey a to the account.
func (k *waKit) enrol(email string, a *softKey) (*identity.Principal, []string) {
	k.t.Helper()
	ctx := context.Background()
	p := k.passwordSession(email)
	opts, err := k.svc.BeginPasskeyRegistration(ctx, p, email)
	if err != nil {
		k.t.Fatal(err)
	}
	codes, err := k.svc.FinishPasskeyRegistration(ctx, p, a.create(opts), "Laptop")
	if err != nil {
		k.t.Fatalf("finish registration: %v", err)
	}
	return p, codes
}

// challenge signs in with the password and expects a second-factor challenge.
func (k *waKit) challenge(email string) *identity.Challenge {
	k.t.Helper()
	res, err := k.SignIn(email, identitytest.Password, waIP)
	if err != nil || res.Challenge == nil {
		k.t.Fatalf("sign in with a passkey enrolled: %+v %v", res, err)
	}
	return res.Challenge
}

func (k *waKit) begin(c *identity.Challenge) json.RawMessage {
	k.t.Helper()
	opts, err := k.svc.BeginWebAuthn(context.Background(), c.Token)
	if err != nil {
		k.t.Fatalf("begin assertion: %v", err)
	}
	return opts
}

func (k *waKit) complete(c *identity.Challenge, cred []byte) (*identity.SignInResult, error) {
	defer k.Svc.WaitMail()
	return k.Svc.CompleteMFA(context.Background(), identity.MFAAttempt{Challenge: c.Token, Method: identity.MethodWebAuthn, Credential: cred,
		SignIn: identity.SignIn{IP: waIP, UserAgent: identitytest.UserAgent, Client: identity.ClientAPI}})
}

func (k *waKit) passkeySignIn(ceremony string, cred []byte) (*identity.SignInResult, error) {
	ctx := context.Background()
	defer k.Svc.WaitMail()
	return k.Svc.SignInWith(ctx, identity.SignIn{IP: waIP, UserAgent: identitytest.UserAgent, Client: identity.ClientAPI}, identity.MethodPasskey,
		func(tx *db.Tx) (string, error) { return k.svc.PasskeySignIn(ctx, tx, ceremony, cred) })
}

func (k *waKit) count(query string, args ...any) int {
	k.t.Helper()
	var n int
	ctx := context.Background()
	if err := k.D.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, query, args...).Scan(&n) }); err != nil {
		k.t.Fatal(err)
	}
	return n
}

func (k *waKit) audited(action string) int {
	k.t.Helper()
	n := 0
	for _, a := range k.AuditActions() {
		if a == action {
			n++
		}
	}
	return n
}

// ASVS 6.3.3: a passkey is a second factor after the password; its
// registration offers only approved algorithms (ASVS 11.6.1), asks for a
// discoverable credential and no attestation, and is notified (ASVS 6.3.7).
func TestWebAuthnPasskeyAsSecondFactor(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	a := newSoftKey(t)
	p := k.passwordSession("lan@example.com")

	opts, err := k.svc.BeginPasskeyRegistration(ctx, p, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	o := readOptions(t, opts).PublicKey
	if o.RP.ID != waRPID || o.RP.Name != "Acme Bank" || o.User.ID != b64([]byte(p.AccountID)) || o.User.Name != "lan@example.com" {
		t.Fatalf("relying party or user in the options: %s", opts)
	}
	var algs []int64
	for _, c := range o.PubKeyCredParams {
		algs = append(algs, c.Alg)
	}
	if !slices.Equal(algs, []int64{-7, -8, -257}) { // ES256, EdDSA, RS256 only: ASVS 11.6.1
		t.Fatalf("algorithms offered: %v", algs)
	}
	sel := o.AuthenticatorSelection
	if sel.ResidentKey != "required" || sel.RequireResidentKey == nil || !*sel.RequireResidentKey || sel.UserVerification != "preferred" {
		t.Fatalf("authenticator selection: %+v", sel)
	}
	if o.Attestation != "none" || o.Timeout != 300000 || len(o.ExcludeCredentials) != 0 {
		t.Fatalf("options: %s", opts)
	}
	mailsBefore := len(k.Mails("lan@example.com"))
	codes, err := k.svc.FinishPasskeyRegistration(ctx, p, a.create(opts), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	fs, err := k.svc.Factors(ctx, p.AccountID)
	if err != nil || len(fs) != 1 || fs[0].Kind != "webauthn" || fs[0].Name != "Passkey" {
		t.Fatalf("factors %+v %v", fs, err)
	}
	ms := k.Mails("lan@example.com")
	if len(ms) != mailsBefore+1 || !strings.Contains(ms[len(ms)-1].Subject, "sign-in method was added") {
		t.Fatalf("no notice of the new passkey: %+v", ms)
	}
	// A second registration excludes the passkey the account has.
	again, err := k.svc.BeginPasskeyRegistration(ctx, p, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ex := readOptions(t, again).PublicKey.ExcludeCredentials; len(ex) != 1 || ex[0].ID != b64(a.id) {
		t.Fatalf("excluded credentials %+v", ex)
	}

	c := k.challenge("lan@example.com")
	if strings.Join(c.Methods, ",") != "webauthn,recovery_code" {
		t.Fatalf("methods %v", c.Methods)
	}
	req := k.begin(c)
	ro := readOptions(t, req).PublicKey
	if ro.RPID != waRPID || ro.UserVerification != "preferred" || len(ro.AllowCredentials) != 1 || ro.AllowCredentials[0].ID != b64(a.id) {
		t.Fatalf("request options: %s", req)
	}
	res, err := k.complete(c, a.get(req))
	if err != nil {
		t.Fatal(err)
	}
	if res.Session.AAL != 2 || strings.Join(res.Session.Methods, ",") != "pwd,webauthn" {
		t.Fatalf("session %+v", res.Session)
	}
	if got := k.Principal(res.Token); got.AccountID != p.AccountID {
		t.Fatalf("signed in as %s", got.AccountID)
	}
	if fs, _ := k.svc.Factors(ctx, p.AccountID); fs[0].LastUsedAt == nil {
		t.Fatal("last use not recorded")
	}
	for _, action := range []string{"mfa.webauthn.start", "mfa.webauthn.enrol", "mfa.webauthn.use"} {
		if k.audited(action) == 0 {
			t.Errorf("no %s in the audit log", action)
		}
	}
	k.VerifyAudit()
}

// ASVS 6.5.1: each ceremony's challenge is signed once. An assertion is
// refused a second time, against a later ceremony, and after its ceremony
// expired; a refused answer spends the ceremony too.
func TestWebAuthnAssertionSingleUse(t *testing.T) {
	k := newWAKit(t)
	a := newSoftKey(t)
	k.enrol("lan@example.com", a)

	c1 := k.challenge("lan@example.com")
	used := a.get(k.begin(c1))
	if _, err := k.complete(c1, used); err != nil {
		t.Fatal(err)
	}

	c2 := k.challenge("lan@example.com")
	if _, err := k.complete(c2, used); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("assertion replayed without a ceremony: %v", err)
	}
	opts := k.begin(c2)
	if _, err := k.complete(c2, used); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("assertion replayed against a new ceremony: %v", err)
	}
	if _, err := k.complete(c2, a.get(opts)); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("a ceremony answered after a refused answer: %v", err)
	}
	late := k.begin(c2)
	k.Clock.Add(6 * time.Minute) // the challenge lives 10 minutes, the ceremony 5
	if _, err := k.complete(c2, a.get(late)); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("expired ceremony: %v", err)
	}
	if n := k.count("SELECT MAX(failures) FROM mfa_challenges"); n != 4 {
		t.Fatalf("%d failures counted on the challenge, want 4", n)
	}
	if _, err := k.complete(c2, a.get(k.begin(c2))); err != nil {
		t.Fatalf("a fresh ceremony on the same challenge: %v", err)
	}
	if n := k.count("SELECT COUNT(*) FROM webauthn_ceremonies"); n != 0 {
		t.Fatalf("%d ceremonies left behind", n)
	}
}

// Forged or damaged assertions are refused with ErrInvalidCode alone and
// count as failures on the challenge: another origin (phishing), another
// RP ID, a signature by another key, a registration answer replayed as an
// assertion, no user presence, another authenticator, malformed JSON.
func TestWebAuthnRefusesForgedAssertions(t *testing.T) {
	k := newWAKit(t)
	a := newSoftKey(t)
	p, _ := k.enrol("lan@example.com", a)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	stranger := newSoftKey(t)
	stranger.handle = []byte(p.AccountID)

	cases := []struct {
		name  string
		forge func(opts json.RawMessage) []byte
	}{
		{"origin", func(o json.RawMessage) []byte {
			return a.get(o, func(c *ceremony) { c.origin = "https://bank.example.evil" })
		}},
		{"subdomain origin", func(o json.RawMessage) []byte {
			return a.get(o, func(c *ceremony) { c.origin = "https://login.bank.example" })
		}},
		{"rp id", func(o json.RawMessage) []byte { return a.get(o, func(c *ceremony) { c.rpID = "evil.example" }) }},
		{"signature", func(o json.RawMessage) []byte { return a.get(o, func(c *ceremony) { c.signer = other }) }},
		{"type", func(o json.RawMessage) []byte { return a.get(o, func(c *ceremony) { c.typ = "webauthn.create" }) }},
		{"challenge", func(o json.RawMessage) []byte {
			return a.get(o, func(c *ceremony) { c.challenge = b64(bytes.Repeat([]byte{7}, 32)) })
		}},
		{"no user presence", func(o json.RawMessage) []byte { return a.get(o, func(c *ceremony) { c.flags &^= flagUP }) }},
		{"unregistered authenticator", func(o json.RawMessage) []byte {
			stranger.id = a.id // claims the registered id, signs with its own key
			return stranger.get(o)
		}},
		{"malformed", func(json.RawMessage) []byte { return []byte(`{"id":`) }},
		{"empty", func(json.RawMessage) []byte { return nil }},
	}
	for i, tc := range cases {
		c := k.challenge("lan@example.com")
		if _, err := k.complete(c, tc.forge(k.begin(c))); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n := k.count("SELECT COUNT(*) FROM mfa_challenges WHERE failures = 1"); n != i+1 {
			t.Fatalf("%s: the failure was not counted on the challenge", tc.name)
		}
	}
	if n := k.audited("signin.mfa_failure"); n != len(cases) {
		t.Fatalf("%d failures audited, want %d", n, len(cases))
	}
	if n := k.audited("mfa.webauthn.use"); n != 0 {
		t.Fatalf("a forged assertion was recorded as a use")
	}
	c := k.challenge("lan@example.com")
	if _, err := k.complete(c, a.get(k.begin(c))); err != nil {
		t.Fatalf("the real passkey after the forgeries: %v", err)
	}
}

// A signature counter that does not move forward means the key was
// copied: the assertion is refused and audited. Authenticators that keep
// no counter (0 every time) still work.
func TestWebAuthnSignCountBackwards(t *testing.T) {
	k := newWAKit(t)
	a := newSoftKey(t)
	a.count = 10
	k.enrol("lan@example.com", a)

	c := k.challenge("lan@example.com")
	if _, err := k.complete(c, a.get(k.begin(c))); err != nil { // counter 11
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		count uint32
	}{{"backwards", 4}, {"unchanged", 10}} {
		a.count = tc.count
		c := k.challenge("lan@example.com")
		if _, err := k.complete(c, a.get(k.begin(c))); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("%s counter: %v", tc.name, err)
		}
	}
	if n := k.audited("mfa.webauthn.clone_suspected"); n != 2 {
		t.Fatalf("%d clone warnings audited, want 2", n)
	}
	a.count = 11
	c = k.challenge("lan@example.com")
	if _, err := k.complete(c, a.get(k.begin(c))); err != nil { // counter 12
		t.Fatalf("counter moving forward again: %v", err)
	}

	z := newSoftKey(t)
	z.noCounter = true
	k.enrol("minh@example.com", z)
	for range 2 {
		c := k.challenge("minh@example.com")
		if _, err := k.complete(c, z.get(k.begin(c))); err != nil {
			t.Fatalf("passkey without a counter: %v", err)
		}
	}
	k.VerifyAudit()
}

// Passwordless sign-in needs a discoverable passkey that verified its user
// (two factors in one: ASVS 6.3.3); the ceremony is single use (ASVS
// 6.5.1), and an unknown or malformed user handle is refused like a wrong
// signature.
func TestPasskeySignInPasswordless(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	a := newSoftKey(t)
	p, _ := k.enrol("lan@example.com", a)

	id, opts, err := k.svc.BeginPasskeySignIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := readOptions(t, opts).PublicKey
	if id == "" || o.RPID != waRPID || o.UserVerification != "required" || len(o.AllowCredentials) != 0 {
		t.Fatalf("passwordless options %q %s", id, opts)
	}
	cred := a.get(opts)
	res, err := k.passkeySignIn(id, cred)
	if err != nil {
		t.Fatal(err)
	}
	if res.Session.AAL != 2 || strings.Join(res.Session.Methods, ",") != "passkey" || k.Principal(res.Token).AccountID != p.AccountID {
		t.Fatalf("passkey session %+v", res.Session)
	}
	if _, err := k.passkeySignIn(id, cred); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("passwordless assertion replayed: %v", err)
	}

	forged := []struct {
		name   string
		answer func(opts json.RawMessage) []byte
	}{
		{"no user verification", func(o json.RawMessage) []byte { return a.get(o, func(c *ceremony) { c.flags &^= flagUV }) }},
		{"unknown user handle", func(o json.RawMessage) []byte {
			b := *a
			b.handle = []byte("0123456789abcdef0123456789abcdef")
			return b.get(o)
		}},
		{"binary user handle", func(o json.RawMessage) []byte {
			b := *a
			b.handle = []byte{0xff, 0xfe, 0x00, 0x80}
			return b.get(o)
		}},
		{"origin", func(o json.RawMessage) []byte {
			return a.get(o, func(c *ceremony) { c.origin = "https://bank-example.com" })
		}},
	}
	for _, tc := range forged {
		id, opts, err := k.svc.BeginPasskeySignIn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.passkeySignIn(id, tc.answer(opts)); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	// A second-factor ceremony does not sign in without the password.
	c := k.challenge("lan@example.com")
	mfaOpts := k.begin(c)
	var mfaCeremony string
	err = k.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM webauthn_ceremonies WHERE purpose = 'mfa'").Scan(&mfaCeremony)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.passkeySignIn(mfaCeremony, a.get(mfaOpts)); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("second-factor ceremony used for passwordless sign-in: %v", err)
	}

	id, opts, _ = k.svc.BeginPasskeySignIn(ctx)
	if _, err := k.passkeySignIn(id, a.get(opts)); err != nil {
		t.Fatalf("the passkey after the refusals: %v", err)
	}
	if n := k.audited("mfa.passkey.use"); n != 2 {
		t.Fatalf("%d passkey uses audited, want 2", n)
	}
	k.VerifyAudit()
}

// ASVS 7.5.1: adding a passkey needs a recent sign-in, and the answer must
// come within the ceremony's five minutes, from this origin, with an
// approved algorithm (ASVS 11.6.1).
func TestPasskeyRegistrationNeedsFreshSignIn(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	a := newSoftKey(t)
	p := k.passwordSession("lan@example.com")

	k.Clock.Add(6 * time.Minute)
	if _, err := k.svc.BeginPasskeyRegistration(ctx, p, "lan@example.com"); !errors.Is(err, identity.ErrStepUpRequired) {
		t.Fatalf("registration with a six-minute-old sign-in: %v", err)
	}
	res, err := k.SignIn("lan@example.com", identitytest.Password, waIP)
	if err != nil {
		t.Fatal(err)
	}
	p = k.Principal(res.Token)
	if _, err := k.svc.FinishPasskeyRegistration(ctx, p, a.create(mustBegin(t, k, p)), ""); err != nil {
		t.Fatalf("control: %v", err)
	}

	b := newSoftKey(t)
	for _, tc := range []struct {
		name   string
		answer func(opts json.RawMessage) []byte
	}{
		{"late", func(o json.RawMessage) []byte { k.Clock.Add(5*time.Minute + time.Second); return b.create(o) }},
		{"origin", func(o json.RawMessage) []byte {
			return b.create(o, func(c *ceremony) { c.origin = "https://evil.example" })
		}},
		{"rp id", func(o json.RawMessage) []byte { return b.create(o, func(c *ceremony) { c.rpID = "evil.example" }) }},
		{"ES384", func(o json.RawMessage) []byte { return b.create(o, func(c *ceremony) { c.alg = -35 }) }},
		{"no user presence", func(o json.RawMessage) []byte { return b.create(o, func(c *ceremony) { c.flags &^= flagUP }) }},
		{"same passkey again", func(o json.RawMessage) []byte { return a.create(o) }},
		{"spent ceremony", func(o json.RawMessage) []byte {
			k.svc.FinishPasskeyRegistration(ctx, p, b.create(o, func(c *ceremony) { c.rpID = "evil.example" }), "")
			return b.create(o)
		}},
	} {
		res, err := k.SignIn("lan@example.com", identitytest.Password, waIP)
		if err != nil || res.Challenge == nil {
			t.Fatalf("sign in: %+v %v", res, err)
		}
		got, err := k.complete(res.Challenge, a.get(k.begin(res.Challenge)))
		if err != nil {
			t.Fatal(err)
		}
		p = k.Principal(got.Token)
		cred := tc.answer(mustBegin(t, k, p))
		if _, err := k.svc.FinishPasskeyRegistration(ctx, p, cred, ""); !errors.Is(err, mfa.ErrInvalidCode) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	if fs, _ := k.svc.Factors(ctx, p.AccountID); len(fs) != 1 {
		t.Fatalf("%d factors after the refusals, want 1", len(fs))
	}
}

func mustBegin(t *testing.T, k *waKit, p *identity.Principal) json.RawMessage {
	t.Helper()
	opts, err := k.svc.BeginPasskeyRegistration(context.Background(), p, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// ASVS 6.7.1: the stored credential is sealed with the account's key, so
// neither its public key nor its counter can be read or swapped in the
// database; only the credential id, needed to find it, is in clear.
func TestPasskeyStoredSealed(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	a := newSoftKey(t)
	p, _ := k.enrol("lan@example.com", a)
	var kind string
	var credID, sealed []byte
	err := k.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT kind, credential_id, secret_sealed FROM mfa_factors WHERE account_id = ? AND confirmed_at IS NOT NULL",
			p.AccountID).Scan(&kind, &credID, &sealed)
	})
	if err != nil {
		t.Fatal(err)
	}
	if kind != "webauthn" || !bytes.Equal(credID, a.id) {
		t.Fatalf("stored kind %q, credential id %x", kind, credID)
	}
	if len(sealed) == 0 || bytes.Contains(sealed, a.cose) || bytes.Contains(sealed, a.x) || bytes.Contains(sealed, []byte("publicKey")) ||
		bytes.Contains(sealed, []byte(base64.StdEncoding.EncodeToString(a.cose))) {
		t.Fatal("the public key is readable in mfa_factors.secret_sealed")
	}
	// A sealed record moved to another factor row does not open.
	err = k.D.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE mfa_factors SET id = ? WHERE account_id = ?", "moved0123456789", p.AccountID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.BeginReauthWebAuthn(ctx, p); err == nil {
		t.Fatal("a sealed credential opened under another factor id")
	}
}

// Re-authentication with a passkey uses its own ceremony: an assertion
// made for a sign-in challenge does not confirm a session, and the other
// way round.
func TestWebAuthnReauthentication(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	a := newSoftKey(t)
	p, _ := k.enrol("lan@example.com", a)

	c := k.challenge("lan@example.com")
	forSignIn := a.get(k.begin(c))
	proof := &identity.Proof{Method: identity.MethodWebAuthn, Credential: forSignIn}
	if err := k.Svc.Reauthenticate(ctx, p, identitytest.Password, proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("sign-in assertion used to re-authenticate: %v", err)
	}
	opts, err := k.svc.BeginReauthWebAuthn(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	forReauth := a.get(opts)
	if _, err := k.complete(c, forReauth); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("re-authentication assertion used to sign in: %v", err)
	}
	opts, _ = k.svc.BeginReauthWebAuthn(ctx, p)
	proof = &identity.Proof{Method: identity.MethodWebAuthn, Credential: a.get(opts)}
	if err := k.Svc.Reauthenticate(ctx, p, identitytest.Password, proof); err != nil {
		t.Fatalf("re-authentication: %v", err)
	}
	if err := k.Svc.Reauthenticate(ctx, p, identitytest.Password, proof); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("re-authentication assertion replayed: %v", err)
	}
}

// Passkeys need a host name as RP ID: without one, or on an IP address,
// every passkey call is ErrUnavailable and the service still starts.
func TestWebAuthnOffWithoutRPHost(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	p := k.passwordSession("lan@example.com")
	for _, base := range []string{"", "http://127.0.0.1:8080", "http://[::1]:8080", "http://frontdesk:8080", "/relative"} {
		svc, err := mfa.New(mfa.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Identity: k.Svc, Issuer: "Acme Bank", BaseURL: base})
		if err != nil {
			t.Fatalf("%q: %v", base, err)
		}
		if svc.PasskeysEnabled() {
			t.Errorf("%q: passkeys on", base)
		}
		if _, _, err := svc.BeginPasskeySignIn(ctx); !errors.Is(err, mfa.ErrUnavailable) {
			t.Errorf("%q: passwordless sign-in: %v", base, err)
		}
		if _, err := svc.BeginPasskeyRegistration(ctx, p, "lan@example.com"); !errors.Is(err, mfa.ErrUnavailable) {
			t.Errorf("%q: registration: %v", base, err)
		}
	}
	svc, err := mfa.New(mfa.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Identity: k.Svc, BaseURL: "http://localhost:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := svc.BeginPasskeyRegistration(ctx, p, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if o := readOptions(t, opts).PublicKey; o.RP.ID != "localhost" || o.RP.Name != "Frontdesk" {
		t.Fatalf("local relying party %+v", o.RP)
	}
	a := newSoftKey(t)
	if _, err := svc.FinishPasskeyRegistration(ctx, p, a.create(opts, func(c *ceremony) { c.origin = "http://localhost:8080" }), ""); err != nil {
		t.Fatalf("registration at http://localhost:8080: %v", err)
	}
}

// Ceremonies nobody finished are purged once expired.
func TestPasskeyCeremoniesPurged(t *testing.T) {
	ctx := context.Background()
	k := newWAKit(t)
	for range 3 {
		if _, _, err := k.svc.BeginPasskeySignIn(ctx); err != nil {
			t.Fatal(err)
		}
	}
	k.Clock.Add(5*time.Minute + time.Second)
	if _, _, err := k.svc.BeginPasskeySignIn(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.svc.PurgeCeremonies(ctx); err != nil {
		t.Fatal(err)
	}
	if n := k.count("SELECT COUNT(*) FROM webauthn_ceremonies"); n != 1 {
		t.Fatalf("%d ceremonies after the purge, want 1", n)
	}
}
