package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// CallbackStore is what the monthly call-back lists read and write; *store.Store.
type CallbackStore interface {
	LoadOrgChart(ctx context.Context) (store.OrgChart, error)
	CallbackList(ctx context.Context, month string, kinds []domain.CheckInKind, units []domain.UnitID) ([]store.CallbackRow, error)
	Tx(ctx context.Context, fn func(tx *store.Store) error) error
}

// CallbackLists sends every coordinator the call-back list (回访清单) of their units for the month
// the sample just asked about: the sampled households whose head is not on chat, and the households
// without chat whose visits of the month nobody has confirmed. It runs half an hour after the
// sample, on the same day. The text goes in chat; the .xlsx (with full phone numbers, which the
// coordinator must dial) goes along when FileDir is set, and each file is audit-logged in the same
// transaction as its message. Files are deleted after outbox.file_retention by the cleanup job.
type CallbackLists struct {
	Store   CallbackStore
	Clock   clock.Clock
	Kinds   []domain.CheckInKind
	FileDir string
	Spec    string
}

func (j *CallbackLists) Name() string     { return "callback-lists" }
func (j *CallbackLists) Schedule() string { return j.Spec }

// callbackJob builds the job from the configuration.
func callbackJob(d Deps) *CallbackLists {
	kinds := make([]domain.CheckInKind, len(d.Config.Confirm.Kinds))
	for i, k := range d.Config.Confirm.Kinds {
		kinds[i] = domain.CheckInKind(k)
	}
	st, _ := d.Store.(CallbackStore)
	return &CallbackLists{Store: st, Clock: d.Clock, Kinds: kinds, FileDir: d.Config.Outbox.FileDir,
		Spec: fmt.Sprintf("30 10 %d * *", d.Config.SpotCheck.Day)}
}

// Run sends each coordinator with households to call their list.
func (j *CallbackLists) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	if j.Store == nil {
		return res, fmt.Errorf("scheduler: the store cannot build call-back lists")
	}
	month := SampleMonth(at).Format("2006-01")
	chart, err := j.Store.LoadOrgChart(ctx)
	if err != nil {
		return res, err
	}
	units := make([]domain.UnitID, 0, len(chart.Coordinators))
	for u := range chart.Coordinators {
		units = append(units, u)
	}
	sort.Slice(units, func(a, b int) bool { return units[a] < units[b] })
	for _, u := range units {
		rows, err := j.Store.CallbackList(ctx, month, j.Kinds, subtree(chart, u))
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			continue
		}
		for _, to := range chart.Coordinators[u] {
			if err := j.send(ctx, to, chart.Units[u], month, rows, res); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

func (j *CallbackLists) send(ctx context.Context, to domain.PersonID, u store.Unit, month string, rows []store.CallbackRow, res Result) error {
	now := j.Clock.Now()
	key := fmt.Sprintf("callbacks:%s:%d", month, to)
	msgs := []store.OutboxMessage{{Key: key, PersonID: ptr(to), Priority: store.PriorityBulk, CreatedAt: now,
		Text: textCallbackList(u.Name, month, rows)}}
	if j.FileDir != "" {
		path := filepath.Join(j.FileDir, fmt.Sprintf("callbacks-%s-%s-%d.xlsx", month, u.Code, to))
		if err := writeCallbackFile(path, rows, u.Name+"（含下属单位）", month, now); err != nil {
			return err
		}
		msgs = append(msgs, store.OutboxMessage{Key: key + ":xlsx", PersonID: ptr(to), Priority: store.PriorityBulk,
			CreatedAt: now, FileName: report.CallbackFileName(month), FilePath: path, Kind: store.OutFile})
	}
	err := j.Store.Tx(ctx, func(tx *store.Store) error {
		for _, m := range msgs {
			if _, err := tx.EnqueueOutbox(ctx, m); err != nil {
				return err
			}
		}
		if len(msgs) < 2 {
			return nil
		}
		return tx.Audit(ctx, store.AuditEntry{Action: store.ActExport, Entity: store.EntCallback, At: now,
			Detail: fmt.Sprintf("monthly month=%s unit=%s households=%d to=%d", month, u.Code, len(rows), to)})
	})
	if err != nil {
		if len(msgs) > 1 {
			_ = os.Remove(msgs[1].FilePath)
		}
		return err
	}
	res["lists"]++
	res["households"] += len(rows)
	return nil
}

func writeCallbackFile(path string, rows []store.CallbackRow, scope, month string, now time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("call-back file dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("call-back file: %w", err)
	}
	if err := report.WriteCallbackList(rows, scope, month, now, f); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return err
	}
	return f.Close()
}

// textCallbackList is the chat message that comes with the list.
func textCallbackList(unit, month string, rows []store.CallbackRow) string {
	sampled := 0
	for _, r := range rows {
		if r.Sampled() {
			sampled++
		}
	}
	m, _ := time.Parse("2006-01", month)
	return fmt.Sprintf("【回访清单】%s %d年%d月：有 %d 户不用微信，需要电话回访（抽查 %d 户，其余 %d 户有走访待确认）。清单见附件或发「回访清单」领取，"+
		"含完整电话，只用于回访，请勿转发。打完电话发：回访 户编号 1|2|3 说明（1 是　2 没有来　3 有出入）。",
		unit, m.Year(), m.Month(), len(rows), sampled, len(rows)-sampled)
}
