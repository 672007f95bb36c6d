package backup

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Retention says how many daily and weekly backups to keep.
type Retention struct {
	Daily, Weekly int
}

// PruneReport says what Prune removed.
type PruneReport struct {
	Chains    int // whole chains deleted
	Manifests int
	Packs     int // including packs no manifest referenced
}

// Prune deletes whole chains none of whose backups is kept, never the
// newest chain, and packs that no manifest references (left by a backup
// that was killed). A kept backup is the newest of one of the last Daily
// days that have backups, or of one of the last Weekly ISO weeks. Only
// the holder of the backup lease may prune: a backup running elsewhere
// writes packs before its manifest.
func (r *Repo) Prune(ctx context.Context, keep Retention) (PruneReport, error) {
	var rep PruneReport
	list, err := r.List(ctx)
	if err != nil {
		return rep, err
	}
	var good []Listed
	for _, l := range list {
		if l.Problem == "" {
			good = append(good, l)
		}
	}
	sort.Slice(good, func(i, j int) bool { return good[i].ID > good[j].ID }) // newest first
	keptChain := map[string]bool{}
	if len(good) > 0 {
		keptChain[good[0].Chain] = true
	}
	days, weeks := map[string]bool{}, map[string]bool{}
	for _, l := range good {
		day := l.Created.UTC().Format("2006-01-02")
		y, w := l.Created.UTC().ISOWeek()
		week := fmt.Sprintf("%d-%02d", y, w)
		if !days[day] && len(days) < keep.Daily {
			days[day] = true
			keptChain[l.Chain] = true
		}
		if !weeks[week] && len(weeks) < keep.Weekly {
			weeks[week] = true
			keptChain[l.Chain] = true
		}
	}
	referenced := map[string]bool{}
	deleted := map[string]bool{}
	// Newest first, so no kept manifest ever points at a deleted parent.
	for _, l := range good {
		if keptChain[l.Chain] {
			for _, p := range l.Packs {
				referenced[p.Name] = true
			}
			continue
		}
		if err := r.store.Delete(ctx, manifestName(l.ID)); err != nil {
			return rep, err
		}
		rep.Manifests++
		if !deleted[l.Chain] {
			deleted[l.Chain] = true
			rep.Chains++
		}
	}
	packs, err := r.store.List(ctx, "packs/")
	if err != nil {
		return rep, err
	}
	for _, p := range packs {
		chainID := strings.SplitN(strings.TrimPrefix(p, "packs/"), "/", 2)[0]
		if referenced[p] || (!deleted[chainID] && hasProblem(list, chainID)) {
			continue
		}
		if err := r.store.Delete(ctx, p); err != nil {
			return rep, err
		}
		rep.Packs++
	}
	return rep, nil
}

// hasProblem reports whether any unreadable manifest might belong to the
// chain: its packs are left for an operator to look at rather than deleted.
func hasProblem(list []Listed, chainID string) bool {
	for _, l := range list {
		if l.Problem != "" && (l.Chain == "" || l.Chain == chainID) {
			return true
		}
	}
	return false
}
