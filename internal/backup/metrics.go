package backup

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Collector exports the last runs to Prometheus, read from the database at
// each scrape so that every node reports the same figures.
type Collector struct {
	d                              *db.DB
	success, ok, size, up, seconds *prometheus.Desc
}

// NewCollector returns the collector of the backup metrics.
func NewCollector(d *db.DB) *Collector {
	kind := []string{"kind"}
	return &Collector{d: d,
		success: prometheus.NewDesc("frontdesk_backup_last_success_timestamp_seconds", "When the last successful backup, verify or drill finished (Unix time).", kind, nil),
		ok:      prometheus.NewDesc("frontdesk_backup_last_run_ok", "1 when the last backup, verify or drill succeeded, 0 when it failed.", kind, nil),
		size:    prometheus.NewDesc("frontdesk_backup_last_size_bytes", "Plaintext size of the last successful backup.", nil, nil),
		up:      prometheus.NewDesc("frontdesk_backup_last_uploaded_bytes", "Bytes the last successful backup uploaded.", nil, nil),
		seconds: prometheus.NewDesc("frontdesk_backup_last_duration_seconds", "Duration of the last successful backup, verify or drill.", kind, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.success, c.ok, c.size, c.up, c.seconds} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.d.Read(ctx, func(tx *db.Tx) error {
		for _, kind := range []string{KindBackup, KindVerify, KindDrill} {
			if last, found, err := LastRun(ctx, tx, kind, false); err == nil && found {
				ch <- prometheus.MustNewConstMetric(c.ok, prometheus.GaugeValue, boolFloat(last.OK), kind)
			}
			good, found, err := LastRun(ctx, tx, kind, true)
			if err != nil || !found {
				continue
			}
			ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, float64(good.Finished.Unix()), kind)
			ch <- prometheus.MustNewConstMetric(c.seconds, prometheus.GaugeValue, good.Finished.Sub(good.Started).Seconds(), kind)
			if kind == KindBackup {
				ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(good.Bytes))
				ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, float64(good.Uploaded))
			}
		}
		return nil
	})
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// The problems Health reports, as codes the console translates.
const (
	ProblemNoBackup    = "no_backup"    // no backup has succeeded yet
	ProblemBackupStale = "backup_stale" // the last successful backup is older than its limit
	ProblemNoDrill     = "no_drill"     // no restore drill has succeeded yet
	ProblemDrillStale  = "drill_stale"  // the last successful drill is older than its limit
)

// Health returns the backups' problem as one of the Problem codes, or ""
// when the last backup and the last drill succeeded within their limits.
func Health(ctx context.Context, d *db.DB, now time.Time, maxAge, drillMaxAge time.Duration) (string, error) {
	var problem string
	err := d.Read(ctx, func(tx *db.Tx) error {
		b, found, err := LastRun(ctx, tx, KindBackup, true)
		if err != nil {
			return err
		}
		switch {
		case !found:
			problem = ProblemNoBackup
			return nil
		case now.Sub(b.Finished) > maxAge:
			problem = ProblemBackupStale
			return nil
		}
		dr, found, err := LastRun(ctx, tx, KindDrill, true)
		switch {
		case err != nil:
			return err
		case !found:
			problem = ProblemNoDrill
		case now.Sub(dr.Finished) > drillMaxAge:
			problem = ProblemDrillStale
		}
		return nil
	})
	return problem, err
}
