package scheduler

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// VisitConfirmAsk asks households, in their own words, whether the visits reported for them
// happened ("李建文说12月5日来家里看望了您，送了化肥3包、500元。是这样吗？回复 1 是　2 没有来　3 有出入").
//
// The rule, each run (hourly in the day):
//   - only live check-ins of confirm.kinds, reported at least checkin.undo_window ago (a report
//     that is undone is never asked about) and at most confirm.answer_within ago, that no earlier
//     question covers;
//   - only households whose head is reachable by chat; the others are phoned from the
//     coordinator's call-back list (回访清单) instead;
//   - at most one question per household per confirm.min_days: a report made within that time
//     waits, and the next question covers it together with anything else pending;
//   - never in quiet hours (outbox.quiet_start–quiet_end); the outbox holds it as well.
//
// The question is an outbox row keyed "confirm:<id>:ask", the purpose the 服务号 maps to its
// visit-confirmation template outside the 48-hour window. Nobody is ever reminded of an unanswered
// question: no answer is no answer.
type VisitConfirmAsk struct {
	Store                Store
	Clock                clock.Clock
	Confirm              config.Confirm
	UndoWindow           time.Duration
	MaxDaysBack          int
	QuietStart, QuietEnd int // minutes after midnight
	Spec                 string
	// HouseholdsPerTx bounds a transaction (default 200).
	HouseholdsPerTx int
}

// confirmJob builds the job from the configuration: hourly from 08:40 to 20:40, so a report
// waits about an hour at most once it can no longer be undone.
func confirmJob(d Deps) *VisitConfirmAsk {
	qs, _ := config.ClockTime(d.Config.Outbox.QuietStart) // validated with the configuration
	qe, _ := config.ClockTime(d.Config.Outbox.QuietEnd)
	return &VisitConfirmAsk{Store: d.Store, Clock: d.Clock, Confirm: d.Config.Confirm, UndoWindow: d.Config.CheckIn.UndoWindow,
		MaxDaysBack: d.Config.CheckIn.MaxDaysBack, QuietStart: qs, QuietEnd: qe, Spec: "40 8-20 * * *"}
}

func (j *VisitConfirmAsk) Name() string     { return "visit-confirm" }
func (j *VisitConfirmAsk) Schedule() string { return j.Spec }

// Run asks every household that is due a question.
func (j *VisitConfirmAsk) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	if clock.InQuiet(at, j.QuietStart, j.QuietEnd) {
		res["quiet"] = 1
		return res, nil
	}
	kinds := make([]domain.CheckInKind, len(j.Confirm.Kinds))
	for i, k := range j.Confirm.Kinds {
		kinds[i] = domain.CheckInKind(k)
	}
	from := at.Add(-j.Confirm.AnswerWithin)
	pend, err := j.Store.UnaskedCheckIns(ctx, kinds, from.AddDate(0, 0, -j.MaxDaysBack-1), from, at.Add(-j.UndoWindow))
	if err != nil || len(pend) == 0 {
		return res, err
	}
	byHH := map[domain.HouseholdID][]store.ConfirmCheckIn{}
	var hhs []domain.HouseholdID
	for _, c := range pend {
		if byHH[c.HouseholdID] == nil {
			hhs = append(hhs, c.HouseholdID)
		}
		byHH[c.HouseholdID] = append(byHH[c.HouseholdID], c)
	}
	due, err := j.due(ctx, hhs, at, res)
	if err != nil {
		return res, err
	}
	per := j.HouseholdsPerTx
	if per <= 0 {
		per = 200
	}
	for start := 0; start < len(due); start += per {
		chunk := due[start:min(start+per, len(due))]
		if err := j.Store.Tx(ctx, func(tx *store.Store) error { return j.ask(ctx, tx, chunk, byHH, res) }); err != nil {
			return res, err
		}
	}
	return res, nil
}

// askee is a household due a question and the head who gets it.
type askee struct {
	hh   domain.HouseholdID
	head domain.PersonID
}

// due keeps the households on chat that have not been asked within confirm.min_days.
func (j *VisitConfirmAsk) due(ctx context.Context, hhs []domain.HouseholdID, at time.Time, res Result) ([]askee, error) {
	heads, err := j.Store.ChatHeads(ctx, hhs)
	if err != nil {
		return nil, err
	}
	// asked more than min_days ago (to the minute) is asked again: a week after 10:40 is due at 10:40
	last, err := j.Store.LastChatConfirms(ctx, hhs, at.AddDate(0, 0, -j.Confirm.MinDays).Add(time.Minute))
	if err != nil {
		return nil, err
	}
	var out []askee
	for _, hh := range hhs {
		switch {
		case heads[hh] == 0:
			res["phone_only"]++ // on the coordinator's call-back list
		case !last[hh].IsZero():
			res["waiting"]++ // asked within min_days: the next question covers it
		default:
			out = append(out, askee{hh, heads[hh]})
		}
	}
	return out, nil
}

func (j *VisitConfirmAsk) ask(ctx context.Context, tx *store.Store, chunk []askee, byHH map[domain.HouseholdID][]store.ConfirmCheckIn, res Result) error {
	now := j.Clock.Now()
	for _, a := range chunk {
		items := byHH[a.hh]
		ids := make([]domain.CheckInID, len(items))
		for i, c := range items {
			ids[i] = c.CheckInID
		}
		vc := store.VisitConfirm{HouseholdID: a.hh, AskedTo: ptr(a.head), Via: domain.ViaChat, AskedAt: now}
		if err := tx.CreateVisitConfirm(ctx, &vc, ids); err != nil {
			return err
		}
		if _, err := tx.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("confirm:%d:ask", vc.ID), PersonID: ptr(a.head),
			Priority: store.PriorityBulk, CreatedAt: now, Text: report.ConfirmQuestion(items)}); err != nil {
			return err
		}
		res["asked"]++
		res["check_ins"] += len(items)
	}
	return nil
}
