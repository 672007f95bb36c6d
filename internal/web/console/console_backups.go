package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/frontdesk/frontdesk/internal/backup"
)

// backupsView is the Backups page: the board, and each run as shown.
type backupsView struct {
	backup.Overview
	Hour    string
	FullDay string // "console.backups.day.N"
	Last    []backupRow
	Rows    []backupRow
}

type backupRow struct {
	Kind, ID, Size, Uploaded, Took, Detail string
	Time                                   time.Time
	Full, OK, Found                        bool
}

func newBackupRow(kind string, r *backup.Run) backupRow {
	if r == nil {
		return backupRow{Kind: kind}
	}
	row := backupRow{Kind: r.Kind, Time: r.Finished, ID: r.BackupID, Size: mib(r.Bytes),
		Took: r.Took().String(), Full: r.Full, OK: r.OK, Found: true}
	if r.Kind == backup.KindBackup {
		row.Uploaded = mib(r.Uploaded)
	}
	if r.Kind == backup.KindDrill && r.OK {
		row.Detail = r.Detail // "rto=…"
	}
	return row
}

func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// consoleBackups shows the backup schedule, the target, the last backup,
// verify and drill with their results (the drill's RTO), and recent runs.
func (s *Handler) consoleBackups(w http.ResponseWriter, r *http.Request) error {
	o, err := s.deps.Backups.Overview(r.Context())
	if err != nil {
		return err
	}
	v := backupsView{Overview: o, Hour: fmt.Sprintf("%02d:00", o.Board.Schedule.Hour),
		FullDay: fmt.Sprintf("console.backups.day.%d", o.Board.Schedule.FullDay),
		Last: []backupRow{newBackupRow(backup.KindBackup, o.LastBackup), newBackupRow(backup.KindVerify, o.LastVerify),
			newBackupRow(backup.KindDrill, o.LastDrill)}}
	for i := range o.Runs {
		v.Rows = append(v.Rows, newBackupRow(o.Runs[i].Kind, &o.Runs[i]))
	}
	return s.renderConsole(w, r, http.StatusOK, "console_backups", nil, v)
}
