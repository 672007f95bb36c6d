package app

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"net/url"
)

// serverTLSConfig is the TLS set-up of the HTTPS listener: TLS 1.2 and
// 1.3 only (ASVS 12.1.1), and for TLS 1.2 only forward-secret AEAD
// suites (ASVS 12.1.2): no CBC (Lucky13), no SHA-1 MAC, no RSA key
// exchange, no 3DES or RC4. TLS 1.3's suites are all AEAD; Go does not
// let them be chosen and prefers 1.3 whenever the client offers it.
func serverTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// checkBaseURL refuses a plain-HTTP base URL on a host other than loopback
// unless the operator allowed it: users would send passwords and session
// cookies over the network unencrypted (ASVS 12.2.1). The message says
// what to do instead.
func checkBaseURL(cfg Config) error {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme != "http" || loopbackHost(u.Hostname()) || cfg.AllowInsecureHTTP {
		return nil
	}
	return fmt.Errorf("the base URL %s is plain HTTP on a host other than loopback, so passwords and session cookies would cross the network unencrypted. "+
		"Set FRONTDESK_BASE_URL (--base-url) to the https:// address users reach, behind a proxy that terminates TLS, "+
		"or give Frontdesk a certificate with FRONTDESK_TLS_CERT_FILE and FRONTDESK_TLS_KEY_FILE. "+
		"To serve plain HTTP anyway (a closed test network only), set FRONTDESK_ALLOW_INSECURE_HTTP=true (--allow-insecure-http)", cfg.BaseURL)
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
