package risk

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

// The engine's pure part and its GeoIP look-up, without the database
// (bench/risk measures the whole assessment inside sign-ins).
func BenchmarkEvaluate(b *testing.B) {
	p, h := DefaultPolicy("default"), lived()
	s := at(frankfurt, 20*time.Minute)
	for b.Loop() {
		Evaluate(s, h, p)
	}
}

func BenchmarkGeoIPLookup(b *testing.B) {
	nets := geotest.Synthetic(100000)
	path := filepath.Join(b.TempDir(), "city.mmdb")
	if err := geotest.City(path, true, nets...); err != nil {
		b.Fatal(err)
	}
	g, err := OpenGeoIP(GeoOptions{CityPath: path, Recheck: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 1024)
	for i := range addrs {
		addrs[i] = netip.MustParseAddr(geotest.IP(nets[(i*7919)%len(nets)], 7))
	}
	i := 0
	for b.Loop() {
		if loc, _ := g.Lookup(addrs[i%len(addrs)]); loc == nil {
			b.Fatal("not found")
		}
		i++
	}
}
