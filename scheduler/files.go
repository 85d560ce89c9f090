package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"qinqi/internal/clock"
)

// FileCleanup deletes the generated files (ledgers, charts, call-back lists with full phone
// numbers) from outbox.file_dir once they are outbox.file_retention old, unless a message that has
// not been sent yet still needs them. Files elsewhere (media a channel received) are never touched.
// Leftovers of an interrupted write (.report-*, .callbacks-*) go the same way.
type FileCleanup struct {
	Store interface {
		PendingOutboxFiles(ctx context.Context) (map[string]bool, error)
	}
	Clock     clock.Clock
	Dir       string
	Retention time.Duration
	Spec      string
}

func (j *FileCleanup) Name() string     { return "file-cleanup" }
func (j *FileCleanup) Schedule() string { return j.Spec }

// fileCleanupJob builds the job from the configuration (daily at 03:40).
func fileCleanupJob(d Deps) *FileCleanup {
	return &FileCleanup{Store: d.Store, Clock: d.Clock, Dir: d.Config.Outbox.FileDir, Retention: d.Config.Outbox.FileRetention, Spec: "40 3 * * *"}
}

// Run deletes what is due.
func (j *FileCleanup) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	if j.Dir == "" {
		return res, nil
	}
	entries, err := os.ReadDir(j.Dir)
	if os.IsNotExist(err) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("file cleanup: %w", err)
	}
	keep, err := j.Store.PendingOutboxFiles(ctx)
	if err != nil {
		return res, err
	}
	cutoff := at.Add(-j.Retention)
	for _, e := range entries {
		path := filepath.Join(j.Dir, e.Name())
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || !info.ModTime().Before(cutoff) || keep[path] {
			continue
		}
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return res, fmt.Errorf("file cleanup: %w", err)
		}
		res["deleted"]++
	}
	return res, nil
}
