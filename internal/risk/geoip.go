package risk

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoIP finds where an address is, from an operator-supplied
// MaxMind-format city database (GeoLite2 City, GeoIP2 City, DB-IP City)
// and an optional ASN database, each reloaded when its file changes.
type GeoIP struct {
	city, asn *watched[*maxminddb.Reader]
	now       func() time.Time
}

// GeoOptions configure OpenGeoIP.
type GeoOptions struct {
	CityPath string // required
	ASNPath  string // optional: GeoLite2 ASN or DB-IP ASN
	// Recheck is how often at most the files are looked at for changes
	// (zero: on every look-up).
	Recheck time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
}

// OpenGeoIP opens the databases; an unreadable or malformed file is an
// error at start.
func OpenGeoIP(o GeoOptions) (*GeoIP, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	g := &GeoIP{now: o.Now}
	var err error
	if g.city, err = newWatched("geoip", o.CityPath, o.Recheck, o.Logger, openMMDB); err != nil {
		return nil, fmt.Errorf("geoip database: %w", err)
	}
	if o.ASNPath != "" {
		if g.asn, err = newWatched("geoip-asn", o.ASNPath, o.Recheck, o.Logger, openMMDB); err != nil {
			return nil, fmt.Errorf("geoip asn database: %w", err)
		}
	}
	return g, nil
}

// openMMDB reads the whole file into memory, so that a reload never
// unmaps pages a concurrent look-up still reads; the old copy goes to the
// garbage collector.
func openMMDB(path string) (*maxminddb.Reader, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return maxminddb.OpenBytes(b)
}

type cityRecord struct {
	City struct {
		Names struct {
			En string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Location struct {
		Lat      float64 `maxminddb:"latitude"`
		Lon      float64 `maxminddb:"longitude"`
		Radius   uint16  `maxminddb:"accuracy_radius"`
		TimeZone string  `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	asnRecord
}

type asnRecord struct {
	ASN uint   `maxminddb:"autonomous_system_number"`
	Org string `maxminddb:"autonomous_system_organization"`
}

// Lookup returns the address's location, or nil when the database does
// not know it. networkKnown says whether ASN data was found.
func (g *GeoIP) Lookup(ip netip.Addr) (loc *Location, networkKnown bool) {
	now := g.now()
	var rec cityRecord
	r := g.city.get(now).Lookup(ip.Unmap())
	if !r.Found() || r.Decode(&rec) != nil || rec.Country.ISOCode == "" {
		return nil, false
	}
	loc = &Location{Country: rec.Country.ISOCode, City: rec.City.Names.En, Lat: rec.Location.Lat, Lon: rec.Location.Lon,
		RadiusKm: float64(rec.Location.Radius), TimeZone: rec.Location.TimeZone, ASN: rec.ASN, Org: rec.Org}
	if g.asn != nil {
		var a asnRecord
		if r := g.asn.get(now).Lookup(ip.Unmap()); r.Found() && r.Decode(&a) == nil && a.ASN != 0 {
			loc.ASN, loc.Org = a.ASN, a.Org
		}
	}
	return loc, loc.ASN != 0
}

// Private reports whether ip is inside a private, loopback, link-local or
// unspecified range, or otherwise not routable on the internet: never
// "abroad".
func Private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		cgnat.Contains(ip) || ip.IsMulticast()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, shared address space
