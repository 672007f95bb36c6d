package console

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/risk"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// An alert's evidence in words: the analyst reads "Sign-in from Frankfurt
// am Main, Germany 20 minutes after Hanoi, Vietnam — 8,900 km, faster
// than 1,000 km/h", not the JSON the engine stored.

// evidence is the union of what the monitoring rules store.
type evidence struct {
	Kind         string   `json:"kind"`
	Count        int      `json:"count"`
	Limit        int      `json:"limit"`
	Hour         string   `json:"hour"`
	Usual        *float64 `json:"usual_per_hour"`
	At           string   `json:"at"`
	WorkingHours string   `json:"working_hours"`
	Stage        string   `json:"stage"`
	Decision     string   `json:"decision"`
	Rule         string   `json:"rule"`
	Signals      []string `json:"signals"`
	Place        *place   `json:"place"`
	Prev         *place   `json:"prev"`
	Km           *float64 `json:"km"`
	Minutes      *int     `json:"minutes"`
	MaxKmh       float64  `json:"max_kmh"`
}

type place struct{ City, Country string }

// words writes an alert's evidence as sentences in lang; t is the page's
// translator. Evidence it cannot read gives one sentence naming the rule.
func words(t func(string, ...any) string, lang string, a risk.Alert) []string {
	var ev evidence
	if err := json.Unmarshal([]byte(a.Evidence), &ev); err != nil {
		return []string{t("console.security.r." + a.Rule)}
	}
	w := wordsIn{t: t, lang: lang}
	var out []string
	switch a.Rule {
	case risk.RuleLimit:
		out = append(out, t("console.security.ev.limit", w.count(ev.Kind, ev.Count), w.clock(ev.Hour), ev.Limit))
	case risk.RuleBurst:
		if ev.Usual == nil || *ev.Usual == 0 {
			out = append(out, t("console.security.ev.burst_new", w.count(ev.Kind, ev.Count)))
		} else {
			out = append(out, t("console.security.ev.burst", w.count(ev.Kind, ev.Count), w.number(*ev.Usual)))
		}
	case risk.RuleOffHours:
		out = append(out, t("console.security.ev.off_hours", t("console.security.kind."+ev.Kind), w.clock(ev.At), ev.WorkingHours))
	case risk.RuleStaffNewCountry, risk.RuleAccountRisk:
		out = append(out, w.place(ev)...)
	}
	if ev.Decision != "" {
		out = append(out, t("console.security.ev.decision", t("console.risk.d."+ev.Decision), ev.Rule))
	}
	if len(ev.Signals) > 0 {
		names := make([]string, len(ev.Signals))
		for i, s := range ev.Signals {
			names[i] = t("risk.signal." + s)
		}
		out = append(out, t("console.security.ev.signals", strings.Join(names, t("console.security.ev.comma"))))
	}
	if len(out) == 0 {
		out = append(out, t("console.security.r."+a.Rule))
	}
	return out
}

type wordsIn struct {
	t    func(string, ...any) string
	lang string
}

// place says where a step came from and, when the account had signed in
// elsewhere before, how far and how fast that would have been.
func (w wordsIn) place(ev evidence) []string {
	step := w.t("console.security.stage." + ev.Stage)
	if ev.Stage == "" || strings.HasPrefix(step, "console.") {
		step = w.t("console.security.stage.signin")
	}
	if ev.Place == nil {
		return []string{w.t("console.security.ev.unlocated", step)}
	}
	here := w.where(ev.Place)
	if ev.Prev == nil || ev.Km == nil || ev.Minutes == nil {
		return []string{w.t("console.security.ev.from", step, here)}
	}
	ago, prev, km := w.duration(*ev.Minutes), w.where(ev.Prev), w.number(roundKm(*ev.Km))
	if slices.Contains(ev.Signals, risk.SigImpossibleTravel) && ev.MaxKmh > 0 {
		return []string{w.t("console.security.ev.travel", step, here, ago, prev, km, w.number(ev.MaxKmh))}
	}
	return []string{w.t("console.security.ev.moved", step, here, ago, prev, km)}
}

// where is "Frankfurt am Main, Germany": the city as the GeoIP database
// names it, the country in the page's language.
func (w wordsIn) where(p *place) string {
	country := p.Country
	if r, err := language.ParseRegion(p.Country); err == nil {
		if n := display.Regions(language.Make(w.lang)).Name(r); n != "" {
			country = n
		}
	}
	if p.City == "" {
		return country
	}
	return p.City + w.t("console.security.ev.comma") + country
}

// count is "12 reveals of personal data"; English has a singular.
func (w wordsIn) count(kind string, n int) string {
	key := "console.security.count." + kind
	if n == 1 {
		if one := w.t(key + ".one"); one != key+".one" {
			return one
		}
	}
	return w.t(key, w.number(float64(n)))
}

// duration is "20 minutes", "14 hours" or "3 days".
func (w wordsIn) duration(min int) string {
	n, unit := min, "minutes"
	switch {
	case min >= 48*60:
		n, unit = int(math.Round(float64(min)/(24*60))), "days"
	case min >= 120:
		n, unit = int(math.Round(float64(min)/60)), "hours"
	}
	if n == 1 {
		return w.t("console.security.ev." + strings.TrimSuffix(unit, "s"))
	}
	return w.t("console.security.ev."+unit, n)
}

// clock is "2026-12-07 14:00 UTC" from an RFC 3339 time.
func (w wordsIn) clock(s string) string {
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return at.UTC().Format("2006-01-02 15:04") + " UTC"
}

// number writes a whole number with the language's thousands separator
// ("8,900"; "8.900" in Vietnamese), or one decimal under ten ("2.5").
func (w wordsIn) number(f float64) string {
	sep, dec := ",", "."
	if w.lang == "vi" {
		sep, dec = ".", ","
	}
	if f < 10 && f != math.Trunc(f) {
		return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", dec, 1)
	}
	s := strconv.FormatInt(int64(math.Round(f)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// roundKm keeps two significant figures of long distances: the
// database's places are cities, not addresses.
func roundKm(km float64) float64 {
	switch {
	case km >= 1000:
		return math.Round(km/100) * 100
	case km >= 100:
		return math.Round(km/10) * 10
	}
	return math.Round(km)
}
