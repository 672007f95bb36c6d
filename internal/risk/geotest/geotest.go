// Package geotest writes MaxMind-format databases for tests and
// benchmarks with github.com/maxmind/mmdbwriter: no downloaded data.
package geotest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Net is one network of a test database.
type Net struct {
	CIDR     string
	Country  string
	City     string
	Lat, Lon float64
	RadiusKm uint16
	TimeZone string
	ASN      uint32
	Org      string
}

// Places used across the tests: two Vietnamese cities on one carrier, a
// German data centre, and a VPN exit whose accuracy radius is continental.
var (
	Hanoi     = Net{CIDR: "27.72.0.0/16", Country: "VN", City: "Hanoi", Lat: 21.0285, Lon: 105.8542, RadiusKm: 20, TimeZone: "Asia/Ho_Chi_Minh", ASN: 7552, Org: "Viettel Group"}
	Saigon    = Net{CIDR: "27.74.0.0/16", Country: "VN", City: "Ho Chi Minh City", Lat: 10.8231, Lon: 106.6297, RadiusKm: 20, TimeZone: "Asia/Ho_Chi_Minh", ASN: 7552, Org: "Viettel Group"}
	Frankfurt = Net{CIDR: "5.9.0.0/16", Country: "DE", City: "Frankfurt am Main", Lat: 50.1109, Lon: 8.6821, RadiusKm: 10, TimeZone: "Europe/Berlin", ASN: 24940, Org: "Hetzner Online GmbH"}
	VPNExit   = Net{CIDR: "45.86.0.0/16", Country: "US", Lat: 37.751, Lon: -97.822, RadiusKm: 1000, TimeZone: "America/Chicago", ASN: 9009, Org: "M247 Europe SRL"}
)

// IP returns the first usable address of the network, with last as its
// final octet: IP(Hanoi, 7) is 27.72.0.7.
func IP(n Net, last byte) string {
	_, ipnet, err := net.ParseCIDR(n.CIDR)
	if err != nil {
		panic(err)
	}
	ip := ipnet.IP.To4()
	return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], last)
}

// City writes a GeoIP2-City-shaped database with the networks to path.
// withASN also puts the network's operator in each record (as DB-IP's
// combined files do); otherwise ASN is left to a separate database.
func City(path string, withASN bool, nets ...Net) error {
	return write(path, "GeoIP2-City", nets, func(n Net) mmdbtype.Map {
		m := mmdbtype.Map{
			"country": mmdbtype.Map{"iso_code": mmdbtype.String(n.Country)},
			"location": mmdbtype.Map{
				"latitude": mmdbtype.Float64(n.Lat), "longitude": mmdbtype.Float64(n.Lon),
				"accuracy_radius": mmdbtype.Uint16(n.RadiusKm), "time_zone": mmdbtype.String(n.TimeZone),
			},
		}
		if n.City != "" {
			m["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(n.City)}}
		}
		if withASN && n.ASN != 0 {
			m["autonomous_system_number"] = mmdbtype.Uint32(n.ASN)
			m["autonomous_system_organization"] = mmdbtype.String(n.Org)
		}
		return m
	})
}

// ASN writes a GeoLite2-ASN-shaped database.
func ASN(path string, nets ...Net) error {
	return write(path, "GeoLite2-ASN", nets, func(n Net) mmdbtype.Map {
		return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n.ASN), "autonomous_system_organization": mmdbtype.String(n.Org)}
	})
}

// Synthetic returns n networks (/24s from 1.0.0.0 up, skipping nothing
// the writer refuses) spread over the globe, for a database of realistic
// size in benchmarks.
func Synthetic(n int) []Net {
	out := make([]Net, 0, n)
	for i := 0; len(out) < n; i++ {
		a, b, c := 1+i/65536, (i/256)%256, i%256
		if a == 10 || a == 100 || a == 127 || a >= 224 || a == 169 || a == 172 || a == 192 || a == 198 || a == 203 {
			continue // reserved or private space
		}
		out = append(out, Net{CIDR: fmt.Sprintf("%d.%d.%d.0/24", a, b, c), Country: string(rune('A'+i%26)) + string(rune('A'+(i/26)%26)),
			City: fmt.Sprintf("City %d", i%5000), Lat: float64(i%170) - 85, Lon: float64(i%350) - 175, RadiusKm: uint16(5 + i%200),
			TimeZone: "UTC", ASN: uint32(1000 + i%40000), Org: fmt.Sprintf("Network %d", i%40000)})
	}
	return out
}

func write(path, kind string, nets []Net, record func(Net) mmdbtype.Map) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: kind, RecordSize: 28, Languages: []string{"en"}})
	if err != nil {
		return err
	}
	for _, n := range nets {
		_, ipnet, err := net.ParseCIDR(n.CIDR)
		if err != nil {
			return err
		}
		if err := tree.Insert(ipnet, record(n)); err != nil {
			return fmt.Errorf("%s: %w", n.CIDR, err)
		}
	}
	// Written beside and renamed into place, as an operator's update does,
	// so that a reader never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mmdb-*")
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
