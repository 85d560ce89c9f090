package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Reminder stages, in the order they fall due.
const (
	StageOpen = "open"
	StageHalf = "half"
	StageLast = "last"
)

// WindowReminders reminds cadres of the households they have not reported in an open visit window.
// The rules:
//
//   - The windows are the configured ones (the calendar), never stored rows the configuration no
//     longer has: the stored rows only give the reminders an id and keep the history.
//   - A window has up to three stages: open (from its first day), half (from its middle day, when
//     reminders.halfway is on and the window is required and longer than a day) and last (its last day,
//     when reminders.last_day is on and the window is required). Optional windows only announce
//     their opening.
//   - By state, not by slot: each run sends, for every pairing the window covers that has no check-in
//     since the window opened, the latest stage due today if that stage was not sent yet. A run
//     missed during downtime is made good by the next one (never two stages at once, and the text says
//     how many days are left, never "starting today" a day late); a pairing made mid-window gets the
//     current stage; a cadre back from leave gets it on return.
//   - Judged at the time the run happens (Clock.Now), so reports filed meanwhile count.
//   - One message per cadre and run, with a section per window (two windows opening the same day
//     share one digest).
//   - A budget (reminders.monthly_budget): once a cadre has had that many reminder messages in the
//     month (window and overdue reminders together), optional sections — the halfway stage, and any
//     stage of a window that is not required — are left out; mandatory ones (the opening and the
//     last day of a required window) still go, in the day's one digest. A section left out is
//     recorded like a sent one (its Reminder row has no message), so it is not sent later either.
//   - A Reminder row per pairing, window and stage (unique key) is written with the message in one
//     transaction of CadresPerTx cadres, so nobody is reminded of a stage twice, across instances
//     too; a failed run leaves whole cadres written and the next run plans the rest. The stored
//     keys are read before writing only for the stages that had rows when the run began (the
//     first run of a stage, the big one, would read a key per new row); a key another run writes
//     meanwhile is still turned away by the unique key, and that chunk is planned again with the
//     keys read.
//   - Planning overlaps the scan (window_plan.go): a cadre's digest is written once the scan has
//     passed the cadre's last active pairing, while the scan goes on. A pairing that appears for a
//     cadre whose digest is already written (made during the run) waits for the next run, as one made
//     after it would. Inside a store transaction everything runs in turn, after the scan.
type WindowReminders struct {
	Store    Store
	Calendar *calendar.Calendar
	Clock    clock.Clock
	Leaves   *Leaves
	Spec     string
	Halfway  bool
	LastDay  bool
	// Budget is reminders.monthly_budget; negative means no cap (tests of other rules).
	Budget int
	// CadresPerTx bounds a transaction (default 200 cadres).
	CadresPerTx int
	// ScanBatch is the pairings per scan batch (0: the store's default); cadres complete, and their
	// digests are written, between batches.
	ScanBatch int
	synced    atomic.Int64 // the year whose campaigns this process wrote last
}

func (j *WindowReminders) Name() string     { return "window-reminders" }
func (j *WindowReminders) Schedule() string { return j.Spec }

// dueWindow is a window with the stage due today and its stored id.
type dueWindow struct {
	w     calendar.Window
	id    domain.CampaignID
	stage string
	// stored: the stage had reminder rows when the run began, so its keys are looked up before
	// writing; otherwise only a chunk planned again after a race looks them up.
	stored bool
}

// Run syncs the stored windows with the configuration, then sends the stages due.
func (j *WindowReminders) Run(ctx context.Context, at time.Time) (Result, error) {
	now := laterOf(j.Clock.Now(), at)
	day := clock.Day(now)
	if j.synced.Load() != int64(day.Year()) {
		if err := SyncCampaigns(ctx, j.Store, j.Calendar, day, day.Year()-1, day.Year(), day.Year()+1); err != nil {
			return Result{}, err
		}
		j.synced.Store(int64(day.Year()))
	}
	due, err := j.dueWindows(ctx, day)
	if err != nil || len(due) == 0 {
		return Result{}, err
	}
	leave, err := j.Leaves.On(ctx, day)
	if err != nil {
		return Result{}, err
	}
	return j.plan(ctx, due, leave, at, now)
}

// writeChunk writes one chunk in one transaction, again from the start (up to three times) when
// another run planned one of its stages meanwhile; res counts only the committed attempt.
func (j *WindowReminders) writeChunk(ctx context.Context, due []dueWindow, chunk []cadrePlan, at, now time.Time, res Result) error {
	var err error
	for attempt := range 3 {
		part := Result{}
		lookUp := attempt > 0 // another run wrote some of these keys: read them all this time
		err = j.Store.Tx(ctx, func(tx *store.Store) error { return j.write(ctx, tx, due, chunk, lookUp, at, now, part) })
		if err == nil {
			for k, v := range part {
				res[k] += v
			}
			return nil
		}
		if !errors.Is(err, store.ErrRemindersRaced) {
			return err
		}
	}
	return err
}

// dueWindows lists the configured windows open on day with the stage due, in start order.
func (j *WindowReminders) dueWindows(ctx context.Context, day time.Time) ([]dueWindow, error) {
	ws, err := j.Calendar.Active(day)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(ws))
	for i, w := range ws {
		codes[i] = w.Code
	}
	rows, err := j.Store.CampaignsByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	var out []dueWindow
	for _, w := range ws {
		row, ok := rows[w.Code]
		if !ok {
			return nil, fmt.Errorf("window %s is not stored", w.Code)
		}
		d := dueWindow{w: w, id: row.ID, stage: j.stage(w, day)}
		if d.stored, err = j.Store.HasReminders(ctx, d.id, d.stage); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// stage is the latest stage due on day (see the rules above).
func (j *WindowReminders) stage(w calendar.Window, day time.Time) string {
	switch {
	case day.Equal(w.End) && j.LastDay && w.Required:
		return StageLast
	case !day.Before(w.Halfway()) && j.Halfway && w.Required && w.Halfway().After(w.Start):
		return StageHalf
	}
	return StageOpen
}

// target is one pairing a cadre has not reported in one window.
type target struct {
	pairing domain.PairingID
	window  int // index into the due windows
	name    string
}

func reportedSince(cs []store.CheckInFact, start time.Time) bool {
	for _, c := range cs {
		if !c.At.Before(start) {
			return true
		}
	}
	return false
}

// planTx is what one chunk's transaction writes through.
type planTx interface {
	ExistingReminderKeys(ctx context.Context, keys []string) (map[string]bool, error)
	InsertReminders(ctx context.Context, rows []store.Reminder) error
	EnqueueOutboxBatch(ctx context.Context, ms []store.OutboxMessage) ([]store.OutboxMessage, error)
	ReminderMessagesSince(ctx context.Context, cadres []domain.PersonID, since time.Time) (map[domain.PersonID]int, error)
}

// write plans the chunk's reminder rows and one digest per cadre listing only the rows that are new.
// The stored keys are read first (of the stages stored when the run began, or all with lookUp), the
// digests queued, and then the new rows written with their digest in multi-row INSERTs, each row
// once; a key written meanwhile by another run fails the insert (store.ErrRemindersRaced) and the
// caller plans the chunk again.
func (j *WindowReminders) write(ctx context.Context, tx planTx, due []dueWindow, chunk []cadrePlan, lookUp bool,
	at, now time.Time, res Result) error {
	rows, names, err := j.freshRows(ctx, tx, due, chunk, lookUp, now)
	if err != nil || len(rows) == 0 {
		return err
	}
	spent, err := j.spent(ctx, tx, chunk, now)
	if err != nil {
		return err
	}
	digests, members := j.digests(due, rows, names, spent, at, now, res)
	if len(digests) > 0 {
		queued, err := tx.EnqueueOutboxBatch(ctx, digests)
		if err != nil {
			return err
		}
		for i, q := range queued {
			for _, r := range members[i] {
				rows[r].OutboxID = ptr(q.ID)
			}
		}
		res["messages"] += len(queued)
	}
	return tx.InsertReminders(ctx, rows)
}

// freshRows lists the chunk's reminder rows whose key is not stored yet (cadre by cadre, in target
// order), with the household head of each; the keys of a stage not stored when the run began are
// looked up only with lookUp.
func (j *WindowReminders) freshRows(ctx context.Context, tx planTx, due []dueWindow, chunk []cadrePlan, lookUp bool,
	now time.Time) ([]store.Reminder, []string, error) {
	var rows []store.Reminder
	var keys, names []string
	for _, c := range chunk {
		for _, t := range c.targets {
			d := due[t.window]
			key := reminderKey(d, t.pairing)
			if lookUp || d.stored {
				keys = append(keys, key)
			}
			names = append(names, t.name)
			rows = append(rows, store.Reminder{Key: key, PairingID: t.pairing, CampaignID: &due[t.window].id, CadreID: c.cadre,
				Stage: d.stage, CreatedAt: now})
		}
	}
	seen, err := tx.ExistingReminderKeys(ctx, keys)
	if err != nil || len(seen) == 0 {
		return rows, names, err
	}
	all, allNames := rows, names
	rows, names = rows[:0], names[:0]
	for i, r := range all {
		if !seen[r.Key] {
			seen[r.Key] = true // the same key twice in one chunk is written once
			rows, names = append(rows, r), append(names, allNames[i])
		}
	}
	return rows, names, nil
}

// reminderKey is a reminder row's unique key: window code, pairing and stage.
func reminderKey(d dueWindow, p domain.PairingID) string {
	b := make([]byte, 0, len(d.w.Code)+len(d.stage)+22)
	b = append(append(b, d.w.Code...), ':')
	b = append(strconv.AppendInt(b, int64(p), 10), ':')
	return string(append(b, d.stage...))
}

// digests builds one digest per cadre with new rows (rows are grouped by cadre) and, per digest, the
// indexes of the rows it announces. Sections over the budget are left out; their rows stay unlinked.
func (j *WindowReminders) digests(due []dueWindow, rows []store.Reminder, names []string, spent map[domain.PersonID]int,
	at, now time.Time, res Result) ([]store.OutboxMessage, [][]int) {
	var digests []store.OutboxMessage
	var members [][]int
	slot, today := Slot(at), clock.Day(now)
	var hh []string
	var idx []int
	for start := 0; start < len(rows); {
		cadre := rows[start].CadreID
		end := start
		for end < len(rows) && rows[end].CadreID == cadre {
			end++
		}
		over := j.Budget >= 0 && spent[cadre] >= j.Budget
		var sections []string
		var linked []int
		for _, d := range due {
			hh, idx = hh[:0], idx[:0] // reused: the section's text and linked copy them
			for i := start; i < end; i++ {
				if *rows[i].CampaignID == d.id {
					hh, idx = append(hh, names[i]), append(idx, i)
				}
			}
			if len(hh) == 0 {
				continue
			}
			res["reminders_"+d.stage] += len(hh)
			if over && optionalStage(d) {
				res["reminders_over_budget"] += len(hh)
				continue
			}
			sections = append(sections, textWindowSection(d.w.Name, d.stage, d.w.Start, d.w.End, today, hh))
			linked = append(linked, idx...)
		}
		start = end
		if len(sections) == 0 {
			continue
		}
		digests = append(digests, store.OutboxMessage{Key: "remind:" + slot + ":" + strconv.FormatInt(int64(cadre), 10),
			PersonID: ptr(cadre), Priority: store.PriorityBulk, CreatedAt: now, Text: textWindowDigest(sections)})
		members = append(members, linked)
	}
	return digests, members
}

// optionalStage: the halfway reminder and any stage of a window that is not required.
func optionalStage(d dueWindow) bool { return d.stage == StageHalf || !d.w.Required }

// spent counts each cadre's reminder messages of the month so far (nil when there is no budget).
func (j *WindowReminders) spent(ctx context.Context, tx planTx, chunk []cadrePlan, now time.Time) (map[domain.PersonID]int, error) {
	if j.Budget < 0 {
		return nil, nil
	}
	cadres := make([]domain.PersonID, len(chunk))
	for i, c := range chunk {
		cadres[i] = c.cadre
	}
	day := clock.Day(now)
	return tx.ReminderMessagesSince(ctx, cadres, clock.Date(day.Year(), day.Month(), 1))
}

// SyncCampaigns makes the stored windows follow the configuration: the computed windows of the given
// years are written by code (a changed bound moves the row and keeps its id), and stored windows that
// have not started by today and are no longer configured (disabled, removed, renamed) are deleted.
// Windows that have started stay, with their reminders, as history.
func SyncCampaigns(ctx context.Context, s interface {
	UpsertCampaigns(ctx context.Context, rows []store.Campaign) error
	DeleteCampaignsExcept(ctx context.Context, keep []string, after time.Time) (int64, error)
}, cal *calendar.Calendar, today time.Time, years ...int) error {
	var rows []store.Campaign
	var keep []string
	for _, y := range years {
		ws, err := cal.Windows(y)
		if err != nil {
			return err
		}
		for _, w := range ws {
			keep = append(keep, w.Code)
			rows = append(rows, store.Campaign{Code: w.Code, Name: w.Name, Kind: w.Kind, StartOn: w.Start, EndOn: w.End,
				Required: w.Required, Tags: w.Tags, Programs: strings.Join(w.Programs, ",")})
		}
	}
	if err := s.UpsertCampaigns(ctx, rows); err != nil {
		return err
	}
	_, err := s.DeleteCampaignsExcept(ctx, keep, clock.Day(today))
	return err
}
