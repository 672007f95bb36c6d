package backup_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// childEnv names the variable that makes the test binary a backup process
// to be killed (see TestMain).
const childEnv = "FRONTDESK_BACKUP_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(backupChild(spec))
	}
	os.Exit(m.Run())
}

// backupChild backs up "dbURL|dataDir|repoDir", prints "packed" once a pack
// is in the repository, and waits to be killed.
func backupChild(spec string) int {
	parts := strings.Split(spec, "|")
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: parts[0], DataDir: parts[1]})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: filepath.Join(parts[1], "keys", "master.key")})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	signer, _ := audit.LoadSigner(filepath.Join(parts[1], "keys", "audit-ed25519.key"))
	id, _ := backup.LoadOrCreateIdentity(filepath.Join(parts[1], "keys", "backup-age.key"), false)
	store, _ := backup.OpenStore("file://"+parts[2], parts[1])
	said := false
	r, _ := backup.Open(backup.Options{Store: store, Recipient: id.Recipient(), Signer: signer, ChunkKey: keys.BlindIndex("backup-chunk-id", ""),
		Progress: func(p backup.Progress) {
			if packs, _ := store.List(ctx, "packs/"); !said && p.Phase == "backup" && len(packs) > 1 {
				said = true
				fmt.Println("packed")
				select {}
			}
		}})
	_, err = r.Backup(ctx, backup.Source{DB: d, DatabaseURL: parts[0], DataDir: parts[1], Skip: []string{"keys", "frontdesk.db", "frontdesk.db-wal", "frontdesk.db-shm"}}, false)
	fmt.Println("finished without being killed:", err)
	return 1
}

// kill -9 during a backup leaves the repository readable, and the next
// backup completes; retention then removes the dead backup's packs.
func TestKilledBackupLeavesRepositoryReadable(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.record(t, "test.before", "before")
	first := s.backup(t, true)
	big := make([]byte, 40<<20)
	rand.Read(big)
	s.writeFile(t, "recordings/big", big)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+s.dbURL+"|"+s.dataDir+"|"+s.repoDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill() // SIGKILL: no deferred clean-up runs
	cmd.Wait()
	if strings.TrimSpace(line) != "packed" {
		t.Fatalf("the backup process said %q", line)
	}
	packs, _ := s.repo.Target().List(ctx, "packs/")
	list, err := s.repo.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != first.ID {
		t.Fatalf("after the kill the repository lists %+v (%v), want only %s", list, err, first.ID)
	}
	if _, err := s.repo.Verify(ctx, first.ID, t.TempDir()); err != nil {
		t.Fatalf("the earlier backup no longer verifies: %v", err)
	}
	next := s.backup(t, false)
	to := s.newTarget(t)
	if _, err := s.restore(t, s.repo, next.ID, to); err != nil {
		t.Fatalf("restore of the backup after the kill: %v", err)
	}
	got, _ := os.ReadFile(filepath.Join(to.dataDir, "recordings", "big"))
	if len(got) != len(big) || string(got[:64]) != string(big[:64]) {
		t.Fatal("the large file was not restored whole")
	}
	rep, err := s.repo.Prune(ctx, backup.Retention{Daily: 10, Weekly: 10})
	if err != nil || rep.Packs == 0 {
		t.Fatalf("prune after a killed backup: %+v %v (packs before: %d); want its packs removed", rep, err, len(packs))
	}
	if _, err := s.repo.Verify(ctx, next.ID, t.TempDir()); err != nil {
		t.Fatalf("after pruning: %v", err)
	}
}
