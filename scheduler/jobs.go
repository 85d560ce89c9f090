package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/store"
)

// Store is everything the jobs read and write; *store.Store implements it. Writes that must land together
// (reminder rows and their digest message) go through Tx, whose *store.Store is used via the same methods.
type Store interface {
	Tx(ctx context.Context, fn func(tx *store.Store) error) error
	ScanActivePairings(ctx context.Context, o store.ScanOptions, fn func([]store.PairingFacts) error) error
	LastActivePairings(ctx context.Context, at time.Time) ([]store.CadreLast, error)
	RecipientsWithPending(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]bool, error)
	HasReminders(ctx context.Context, campaign domain.CampaignID, stage string) (bool, error)
	Overlaps(ctx context.Context) bool
	UpsertCampaigns(ctx context.Context, rows []store.Campaign) error
	CampaignsByCodes(ctx context.Context, codes []string) (map[string]store.Campaign, error)
	DeleteCampaignsExcept(ctx context.Context, keep []string, after time.Time) (int64, error)
	OnLeaveAt(ctx context.Context, day time.Time) (map[domain.PersonID]bool, error)
	LoadOrgChart(ctx context.Context) (store.OrgChart, error)
	LatestBefore(ctx context.Context, fs []store.PairingFacts, before time.Time) (map[domain.PairingID][]store.CheckInFact, error)
	HistoryOf(ctx context.Context, ids []domain.PairingID, before time.Time) (map[domain.PairingID][]store.CheckInFact, error)
	OpenAlertsOf(ctx context.Context, ids []domain.PairingID) ([]store.Alert, error)
	OpenStepsOf(ctx context.Context, ids []domain.PairingID) ([]store.AlertStep, error)
	OpenAlertPairings(ctx context.Context) ([]domain.PairingID, error)
	SpellEnds(ctx context.Context, ids []domain.PairingID, at time.Time) (map[domain.PairingID]store.SpellEnd, error)
	SheetImports(ctx context.Context) (first, last time.Time, err error)
	PersonNames(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]string, error)
	PeopleByCodes(ctx context.Context, codes []string) (map[string]store.Person, error)
	LateRequests(ctx context.Context, now time.Time) ([]store.Request, error)
	PairingByID(ctx context.Context, id domain.PairingID) (store.Pairing, error)
	PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error)
	SpotChecksToRemind(ctx context.Context, askedBefore time.Time) ([]store.SpotCheck, error)
	HouseholdByID(ctx context.Context, id domain.HouseholdID) (store.Household, error)
	SpotSecret(ctx context.Context) ([]byte, error)
	ChatHeads(ctx context.Context, hhs []domain.HouseholdID) (map[domain.HouseholdID]domain.PersonID, error)
	PendingOutboxFiles(ctx context.Context) (map[string]bool, error)
	UnaskedCheckIns(ctx context.Context, kinds []domain.CheckInKind, occurredFrom, from, to time.Time) ([]store.ConfirmCheckIn, error)
	LastChatConfirms(ctx context.Context, hhs []domain.HouseholdID, since time.Time) (map[domain.HouseholdID]time.Time, error)
}

// writer is what jobs do inside a transaction (*store.Store bound to it).
type writer interface {
	EnqueueOutbox(ctx context.Context, m store.OutboxMessage) (store.OutboxMessage, error)
	EnqueueOutboxBatch(ctx context.Context, ms []store.OutboxMessage) ([]store.OutboxMessage, error)
	ExistingAlertKeys(ctx context.Context, keys []string) (map[string]bool, error)
	InsertAlerts(ctx context.Context, rows []store.Alert) error
	UnsentAlertsOf(ctx context.Context, to []domain.PersonID) ([]store.UnsentAlert, error)
	LinkAlerts(ctx context.Context, byOutbox map[domain.OutboxID][]domain.AlertID) error
	ResolveAlerts(ctx context.Context, ids []domain.AlertID, at time.Time) error
	AddSpotChecks(ctx context.Context, rows []store.SpotCheck) ([]store.SpotCheck, error)
	MarkSpotChecksAsked(ctx context.Context, ids []domain.SpotCheckID, at time.Time) error
	MarkSpotChecksReminded(ctx context.Context, ids []domain.SpotCheckID, at time.Time) error
	ReminderMessagesSince(ctx context.Context, cadres []domain.PersonID, since time.Time) (map[domain.PersonID]int, error)
}

var _ writer = (*store.Store)(nil)

// Deps are what the jobs share.
type Deps struct {
	Store  Store
	Clock  clock.Clock
	Config config.Config
	Log    *slog.Logger
}

// Jobs builds every job from the configuration.
func Jobs(d Deps) ([]Job, error) {
	cal, err := calendar.New(d.Config.Windows, d.Config.Campaigns)
	if err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	sendAt, err := cronAt(d.Config.Reminders.SendAt, "reminders.send_at")
	if err != nil {
		return nil, err
	}
	scanAt, err := cronAt(d.Config.Escalation.ScanAt, "escalation.scan_at")
	if err != nil {
		return nil, err
	}
	leaves := &Leaves{Store: d.Store, Config: d.Config.Leaves}
	eng := policy.New(d.Config.Frequency)
	reports, ok := d.Store.(ReportStore)
	if !ok {
		return nil, fmt.Errorf("scheduler: the store cannot build reports")
	}
	prune, err := summaryPruneJob(d)
	if err != nil {
		return nil, err
	}
	rep := func(k ReportKind, spec string) *PeriodicReport {
		return &PeriodicReport{Kind: k, Store: reports, Clock: d.Clock, Weights: d.Config.Ranking, FileDir: d.Config.Outbox.FileDir, Spec: spec}
	}
	return []Job{
		&WindowReminders{Store: d.Store, Calendar: cal, Clock: d.Clock, Leaves: leaves, Spec: sendAt + " * * *",
			Halfway: d.Config.Reminders.Halfway, LastDay: d.Config.Reminders.LastDay, Budget: d.Config.Reminders.MonthlyBudget},
		&OverdueScan{Store: d.Store, Policy: eng, Clock: d.Clock, Leaves: leaves, Spec: scanAt + " * * *", Escalation: d.Config.Escalation,
			Writers: scanWriters(d.Config)},
		&RequestDeadlines{Store: d.Store, Clock: d.Clock, Spec: "15 9,14,18 * * *"},
		&SpotCheckSample{Store: d.Store, Clock: d.Clock, Config: d.Config.SpotCheck,
			Spec: fmt.Sprintf("0 10 %d * *", d.Config.SpotCheck.Day)},
		&SpotCheckRemind{Store: d.Store, Clock: d.Clock, After: d.Config.SpotCheck.RemindAfter, Spec: "30 10 * * *"},
		confirmJob(d),
		callbackJob(d),
		fileCleanupJob(d),
		prune,
		rep(ReportMonthly, "0 8 1 * *"),
		rep(ReportQuarterly, "10 8 1 1,4,7,10 *"),
		rep(ReportYearly, "20 8 2 1 *"),
	}, nil
}

// scanWriters is how many transactions write the overdue digests due at the scan's end at once: two on
// MySQL, whose server then works on both cores while qinqi builds the next statements; one on SQLite,
// which takes one writer at a time.
func scanWriters(c config.Config) int {
	if c.Database.Driver == "sqlite" {
		return 1
	}
	return 2
}

// cronAt turns "HH:MM" into the "M H" fields of a cron spec.
func cronAt(hhmm, key string) (string, error) {
	mins, err := config.ClockTime(hhmm)
	if err != nil {
		return "", fmt.Errorf("config: %s: %w", key, err)
	}
	return fmt.Sprintf("%d %d", mins%60, mins/60), nil
}

// Leaves answers "is this cadre on leave today" from Leave rows and config.leaves together.
type Leaves struct {
	Store interface {
		OnLeaveAt(ctx context.Context, day time.Time) (map[domain.PersonID]bool, error)
		PeopleByCodes(ctx context.Context, codes []string) (map[string]store.Person, error)
	}
	Config []config.Leave
}

// On lists everyone on leave on day.
func (l *Leaves) On(ctx context.Context, day time.Time) (map[domain.PersonID]bool, error) {
	out, err := l.Store.OnLeaveAt(ctx, day)
	if err != nil {
		return nil, err
	}
	d := clock.Day(day).Format(time.DateOnly)
	var codes []string
	for _, lv := range l.Config {
		if lv.From <= d && d <= lv.To { // validated YYYY-MM-DD strings compare as dates
			codes = append(codes, lv.Person)
		}
	}
	if len(codes) == 0 {
		return out, nil
	}
	people, err := l.Store.PeopleByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		out[p.ID] = true
	}
	return out, nil
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
