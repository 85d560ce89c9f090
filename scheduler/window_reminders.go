package scheduler

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/store"
)

// Reminder stages.
const (
	StageOpen = "open"
	StageHalf = "half"
	StageLast = "last"
)

// WindowReminders plans the window reminders: on the day a window opens, halfway and on its last day,
// each cadre gets ONE message listing the households of that window not yet reported. A Reminder row per
// pairing and stage (unique key) is written with the message in one transaction, so nobody is reminded twice.
type WindowReminders struct {
	Store    Store
	Calendar *calendar.Calendar
	Clock    clock.Clock
	Leaves   *Leaves
	Spec     string
	Halfway  bool
	LastDay  bool
	// CadresPerTx bounds a transaction (default 200 cadres).
	CadresPerTx int
	synced      atomic.Int64 // the year whose campaigns this process wrote last
}

func (j *WindowReminders) Name() string     { return "window-reminders" }
func (j *WindowReminders) Schedule() string { return j.Spec }

// Run materialises the windows of last, this and next year, then plans today's stages.
func (j *WindowReminders) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	day := clock.Day(at)
	if j.synced.Load() != int64(day.Year()) {
		if err := SyncCampaigns(ctx, j.Store, j.Calendar, day.Year()-1, day.Year(), day.Year()+1); err != nil {
			return res, err
		}
		j.synced.Store(int64(day.Year()))
	}
	camps, err := j.Store.CampaignsOn(ctx, day)
	if err != nil {
		return res, err
	}
	leave, err := j.Leaves.On(ctx, day)
	if err != nil {
		return res, err
	}
	for _, c := range camps {
		stage := j.stage(c, day)
		if stage == "" {
			continue
		}
		if err := j.remind(ctx, c, stage, at, leave, res); err != nil {
			return res, fmt.Errorf("window %s: %w", c.Code, err)
		}
	}
	return res, nil
}

// stage picks the one stage due on day; an optional window only announces its opening.
func (j *WindowReminders) stage(c store.Campaign, day time.Time) string {
	w := calendar.Window{Start: clock.Day(c.StartOn), End: clock.Day(c.EndOn)}
	switch {
	case day.Equal(w.End) && j.LastDay && c.Required:
		return StageLast
	case day.Equal(w.Halfway()) && j.Halfway && c.Required && !day.Equal(w.Start):
		return StageHalf
	case day.Equal(w.Start):
		return StageOpen
	}
	return ""
}

type target struct {
	pairing store.PairingID
	cadre   store.PersonID
	name    string
}

func (j *WindowReminders) remind(ctx context.Context, c store.Campaign, stage string, at time.Time,
	leave map[store.PersonID]bool, res Result) error {
	w := calendar.Window{Tags: c.Tags}
	if c.Programs != "" {
		w.Programs = strings.Split(c.Programs, ",")
	}
	byCadre := map[store.PersonID][]target{}
	err := j.Store.ScanActivePairings(ctx, store.ScanOptions{At: at, Bounds: []time.Time{clock.Day(c.StartOn)}}, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			// Any check-in in the window so far counts as reported; cadres on leave are not nagged.
			if len(f.CheckIns) > 0 || leave[f.Pairing.CadreID] || !w.Applies(f.Tags, f.Program) {
				continue
			}
			byCadre[f.Pairing.CadreID] = append(byCadre[f.Pairing.CadreID], target{f.Pairing.ID, f.Pairing.CadreID, f.HeadName})
		}
		return nil
	})
	if err != nil {
		return err
	}
	cadres := make([]store.PersonID, 0, len(byCadre))
	for id := range byCadre {
		cadres = append(cadres, id)
	}
	sort.Slice(cadres, func(a, b int) bool { return cadres[a] < cadres[b] })
	per := j.CadresPerTx
	if per <= 0 {
		per = 200
	}
	for start := 0; start < len(cadres); start += per {
		chunk := cadres[start:min(start+per, len(cadres))]
		if err := j.Store.Tx(ctx, func(tx *store.Store) error { return j.write(ctx, tx, c, stage, chunk, byCadre, res) }); err != nil {
			return err
		}
	}
	return nil
}

// write inserts the chunk's reminder rows and one digest per cadre listing only the rows that were new.
func (j *WindowReminders) write(ctx context.Context, tx writer, c store.Campaign, stage string, cadres []store.PersonID,
	byCadre map[store.PersonID][]target, res Result) error {
	now := j.Clock.Now()
	var rows []store.Reminder
	for _, cadre := range cadres {
		for _, t := range byCadre[cadre] {
			rows = append(rows, store.Reminder{Key: fmt.Sprintf("%s:%d:%s", c.Code, t.pairing, stage), PairingID: t.pairing,
				CampaignID: ptr(c.ID), CadreID: cadre, Stage: stage, CreatedAt: now})
		}
	}
	fresh, err := tx.AddReminders(ctx, rows)
	if err != nil {
		return err
	}
	names := map[store.PairingID]string{}
	for _, cadre := range cadres {
		for _, t := range byCadre[cadre] {
			names[t.pairing] = t.name
		}
	}
	newBy := map[store.PersonID][]store.Reminder{}
	for _, r := range fresh {
		newBy[r.CadreID] = append(newBy[r.CadreID], r)
	}
	// One digest per cadre with new rows, queued and linked in a few statements for the whole chunk.
	var digests []store.OutboxMessage
	var ids [][]int64
	for _, cadre := range cadres {
		rs := newBy[cadre]
		if len(rs) == 0 {
			continue
		}
		hh := make([]string, len(rs))
		rids := make([]int64, len(rs))
		for i, r := range rs {
			hh[i], rids[i] = names[r.PairingID], r.ID
		}
		digests = append(digests, store.OutboxMessage{Key: fmt.Sprintf("remind:%s:%s:%d", c.Code, stage, cadre),
			PersonID: ptr(cadre), Priority: store.PriorityBulk, CreatedAt: now,
			Text: textWindowReminder(c.Name, stage, clock.Day(c.StartOn), clock.Day(c.EndOn), hh)})
		ids = append(ids, rids)
		res["reminders_"+stage] += len(rs)
	}
	if len(digests) == 0 {
		return nil
	}
	queued, err := tx.EnqueueOutboxBatch(ctx, digests)
	if err != nil {
		return err
	}
	link := make(map[store.OutboxID][]int64, len(queued))
	for i, q := range queued {
		link[q.ID] = append(link[q.ID], ids[i]...)
	}
	res["messages"] += len(queued)
	return tx.LinkReminders(ctx, link)
}

// SyncCampaigns writes the computed windows of the given years into Campaign rows (by code).
func SyncCampaigns(ctx context.Context, s interface {
	UpsertCampaigns(ctx context.Context, rows []store.Campaign) error
}, cal *calendar.Calendar, years ...int) error {
	var rows []store.Campaign
	for _, y := range years {
		ws, err := cal.Windows(y)
		if err != nil {
			return err
		}
		for _, w := range ws {
			rows = append(rows, store.Campaign{Code: w.Code, Name: w.Name, Kind: w.Kind, StartOn: w.Start, EndOn: w.End,
				Required: w.Required, Tags: w.Tags, Programs: strings.Join(w.Programs, ",")})
		}
	}
	return s.UpsertCampaigns(ctx, rows)
}
