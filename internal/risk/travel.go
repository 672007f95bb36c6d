package risk

import (
	"fmt"
	"math"
	"time"
)

const earthRadiusKm = 6371.0

// DistanceKm is the great-circle distance between two points (haversine).
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// travel judges the move from the last sign-in to here. The distance is
// shortened by both accuracy radii and the tolerance, so that the
// database's uncertainty never counts as travel; a location as vague as a
// VPN exit (VPNRadiusKm) cannot prove anything and leaves the signal
// absent.
func travel(last *Past, here *Location, at time.Time, p Policy) (State, string) {
	if last == nil || last.Location == nil {
		return Absent, "no earlier place"
	}
	from := last.Location
	if p.VPNRadiusKm > 0 && (from.RadiusKm >= p.VPNRadiusKm || here.RadiusKm >= p.VPNRadiusKm) {
		return Absent, "location too vague to judge travel"
	}
	d := DistanceKm(from.Lat, from.Lon, here.Lat, here.Lon)
	eff := d - from.RadiusKm - here.RadiusKm - p.ToleranceKm
	if eff <= 0 {
		return Absent, fmt.Sprintf("%.0f km from the last sign-in", d)
	}
	elapsed := at.Sub(last.At)
	if elapsed < time.Minute {
		elapsed = time.Minute
	}
	speed := eff / elapsed.Hours()
	detail := fmt.Sprintf("%.0f km in %s (%.0f km/h)", d, elapsed.Round(time.Minute), speed)
	if p.MaxSpeedKmh > 0 && speed > p.MaxSpeedKmh {
		return Present, detail
	}
	return Absent, detail
}
