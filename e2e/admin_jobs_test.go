package e2e

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/access"
)

// Bulk jobs are kept in the database: a job started on one node is
// followed, and its export file fetched, on another (no sticky sessions
// needed); the owner rule holds there too.
func TestAdminJobsAnyNode(t *testing.T) {
	k := newAdminKit(t, nil)
	peer := &adminKit{Instance: k.StartPeer(t, fastHashing), boss: k.boss}
	_, ops := k.serviceKey(t, "ops-jobs", []string{access.RoleAdministrator, access.RoleSupervisor})
	var started struct{ Job jobReport }
	k.mustCall(t, 202, "POST", "/api/v1/admin/jobs/imports", ops,
		map[string]any{"format": "csv", "content": "email,name\nnode1@example.com,Node One\nnot-an-address,X\n"}).decode(t, &started)
	job := peer.waitJob(t, ops, started.Job.ID)
	if job.Status != "done" || job.Progress.Created != 1 || job.Progress.Invalid != 1 || len(job.Progress.Errors) != 1 {
		t.Fatalf("import followed on the other node: %+v", job)
	}
	k.mustCall(t, 202, "POST", "/api/v1/admin/jobs/exports", ops, map[string]any{"format": "csv"}).decode(t, &started)
	job = peer.waitJob(t, ops, started.Job.ID)
	if job.Status != "done" || job.FileURL == "" {
		t.Fatalf("export followed on the other node: %+v", job)
	}
	file := peer.mustCall(t, 200, "GET", job.FileURL, ops, nil)
	if !strings.Contains(string(file.Body), "node1@example.com") {
		t.Fatalf("export file from the other node: %s", file.Body)
	}
	if r := peer.call(t, "GET", "/api/v1/admin/jobs/"+job.ID, k.boss, nil); r.Status != 404 {
		t.Fatalf("someone else's job on the other node: %d", r.Status)
	}
}
