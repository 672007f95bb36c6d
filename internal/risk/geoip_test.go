package risk

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

func TestGeoIPLookupAndReload(t *testing.T) {
	dir := t.TempDir()
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := geotest.City(city, false, geotest.Hanoi, geotest.VPNExit); err != nil {
		t.Fatal(err)
	}
	if err := geotest.ASN(asn, geotest.Hanoi); err != nil {
		t.Fatal(err)
	}
	g, err := OpenGeoIP(GeoOptions{CityPath: city, ASNPath: asn})
	if err != nil {
		t.Fatal(err)
	}
	loc, known := g.Lookup(netip.MustParseAddr(geotest.IP(geotest.Hanoi, 7)))
	if loc == nil || loc.Country != "VN" || loc.City != "Hanoi" || loc.RadiusKm != 20 || !known || loc.ASN != 7552 || loc.Org != "Viettel Group" {
		t.Fatalf("Hà Nội = %+v known=%v", loc, known)
	}
	if loc.Place() != "Hanoi, VN · Viettel Group" {
		t.Fatalf("place %q", loc.Place())
	}
	if loc, known := g.Lookup(netip.MustParseAddr(geotest.IP(geotest.VPNExit, 1))); loc == nil || loc.Country != "US" || known {
		t.Fatalf("VPN exit = %+v known=%v (no ASN data for it)", loc, known)
	}
	fra := netip.MustParseAddr(geotest.IP(geotest.Frankfurt, 7))
	if loc, _ := g.Lookup(fra); loc != nil {
		t.Fatalf("Frankfurt found before it was added: %+v", loc)
	}
	// The operator installs a new edition: the next look-up sees it.
	if err := geotest.City(city, true, geotest.Hanoi, geotest.Frankfurt); err != nil {
		t.Fatal(err)
	}
	if loc, known := g.Lookup(fra); loc == nil || loc.Country != "DE" || !known || loc.ASN != 24940 {
		t.Fatalf("Frankfurt after reload = %+v", loc)
	}
	// A broken file keeps the edition before it.
	if err := os.WriteFile(city, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if loc, _ := g.Lookup(fra); loc == nil || loc.Country != "DE" {
		t.Fatalf("a broken update lost the database: %+v", loc)
	}
	if _, err := OpenGeoIP(GeoOptions{CityPath: city}); err == nil {
		t.Fatal("a malformed database opened at start")
	}
	if _, err := OpenGeoIP(GeoOptions{CityPath: filepath.Join(dir, "missing.mmdb")}); err == nil {
		t.Fatal("a missing database opened at start")
	}
}

// The recheck interval bounds how often the file is looked at.
func TestGeoIPRecheckInterval(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	if err := geotest.City(city, false, geotest.Hanoi); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g, err := OpenGeoIP(GeoOptions{CityPath: city, Recheck: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	fra := netip.MustParseAddr(geotest.IP(geotest.Frankfurt, 1))
	g.Lookup(fra)
	if err := geotest.City(city, false, geotest.Hanoi, geotest.Frankfurt); err != nil {
		t.Fatal(err)
	}
	if loc, _ := g.Lookup(fra); loc != nil {
		t.Fatal("reloaded before the interval passed")
	}
	now = now.Add(time.Minute)
	if loc, _ := g.Lookup(fra); loc == nil {
		t.Fatal("not reloaded after the interval")
	}
}

func TestAnonymiserLists(t *testing.T) {
	dir := t.TempDir()
	tor, vpnList := filepath.Join(dir, "tor.txt"), filepath.Join(dir, "vpn.txt")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p+".tmp", []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
	}
	write(tor, "# Tor exits\n185.220.101.4\nExitAddress 185.220.101.9 2026-12-01 00:00:00\n")
	write(vpnList, "45.86.0.0/16 # M247\n2001:db8:aa::/48\n")
	a, err := OpenAnonymisers([]string{tor, vpnList}, 0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{"185.220.101.4": true, "185.220.101.9": true, "185.220.101.5": false,
		"45.86.200.1": true, "::ffff:45.86.0.1": true, "2001:db8:aa::1": true, "2001:db8:ab::1": false, "27.72.0.7": false} {
		if got := a.Listed(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Listed(%s) = %v, want %v", ip, got, want)
		}
	}
	write(tor, "185.220.101.5\n")
	if !a.Listed(netip.MustParseAddr("185.220.101.5")) || a.Listed(netip.MustParseAddr("185.220.101.4")) {
		t.Fatal("the Tor list was not reloaded")
	}
	write(vpnList, "nonsense here\n")
	if !a.Listed(netip.MustParseAddr("45.86.0.1")) {
		t.Fatal("a broken list replaced the good one")
	}
	if _, err := OpenAnonymisers([]string{vpnList}, 0, nil, nil); err == nil {
		t.Fatal("a malformed list opened at start")
	}
}
