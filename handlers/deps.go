// Package handlers is the command language: one ordered routing table (router.go), one file per
// command with its parser, and every reply text in replies.go. Handlers depend on the small
// interfaces below, which *store.Store and *store.KV implement.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
	"qinqi/internal/policy"
	"qinqi/store"
)

// People resolves senders and the organisation around them.
type People interface {
	PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error)
	UnitByID(ctx context.Context, id domain.UnitID) (store.Unit, error)
	HouseholdByID(ctx context.Context, id domain.HouseholdID) (store.Household, error)
	ProgramByID(ctx context.Context, id domain.ProgramID) (store.Program, error)
	UnitSubtree(ctx context.Context, unit domain.UnitID) ([]domain.UnitID, error)
	ActivePairingsOfHousehold(ctx context.Context, hh domain.HouseholdID, at time.Time) ([]store.Pairing, error)
	HouseholdsOfCadre(ctx context.Context, cadre domain.PersonID, at time.Time) ([]store.PairedHousehold, error)
	OpenRequestCounts(ctx context.Context, hhs []domain.HouseholdID) (map[domain.HouseholdID]int, error)
	CoordinatorsOfUnit(ctx context.Context, unit domain.UnitID) ([]store.Person, error)
	PairingByID(ctx context.Context, id domain.PairingID) (store.Pairing, error)
}

// CheckIns stores reports and their evidence.
type CheckIns interface {
	CreateCheckIn(ctx context.Context, c store.CheckIn, actor domain.PersonID) (store.CheckIn, bool, error)
	LastCheckInOfCadre(ctx context.Context, cadre domain.PersonID) (store.CheckIn, error)
	CheckInsReportedAt(ctx context.Context, cadre domain.PersonID, at time.Time) ([]store.CheckIn, error)
	CheckInsOfCadreOn(ctx context.Context, cadre domain.PersonID, q store.RecentReports) ([]store.CheckIn, error)
	CheckInByID(ctx context.Context, id domain.CheckInID) (store.CheckIn, error)
	UndoCheckIn(ctx context.Context, id domain.CheckInID, actor domain.PersonID, at time.Time) error
	AttachEvidence(ctx context.Context, id domain.CheckInID, e store.Evidence, actor domain.PersonID, at time.Time) error
	AmendCheckIn(ctx context.Context, id domain.CheckInID, c store.CheckInContent, actor domain.PersonID, at time.Time) error
	CheckInsOfPairingsSince(ctx context.Context, pairings []domain.PairingID, since time.Time) ([]store.CheckIn, error)
	LatestCheckInsBefore(ctx context.Context, pairings []domain.PairingID, t time.Time) ([]store.CheckIn, error)
	LastCheckInAt(ctx context.Context, pairings []domain.PairingID) (map[domain.PairingID]time.Time, error)
	UpsertWorkPlan(ctx context.Context, cadre domain.PersonID, month, text string, at time.Time) (store.WorkPlan, error)
	WorkPlanOf(ctx context.Context, cadre domain.PersonID, month string) (store.WorkPlan, error)
}

// Requests stores household requests, complaints and ratings; notifications go out in the same
// transaction (the notify callbacks build them from the stored row).
type Requests interface {
	CreateRequest(ctx context.Context, r store.Request, notify func(store.Request) []store.OutboxMessage) (store.Request, bool, error)
	RequestByID(ctx context.Context, id domain.RequestID) (store.Request, error)
	ChangeRequest(ctx context.Context, id domain.RequestID, actor domain.PersonID, action string, at time.Time,
		change func(*store.Request) error, notify func(store.Request) []store.OutboxMessage) (store.Request, error)
	OpenRequestsFor(ctx context.Context, assignee domain.PersonID, units []domain.UnitID, limit int) (store.OpenRequests, error)
	RequestsOfHousehold(ctx context.Context, hh domain.HouseholdID) ([]store.Request, error)
	LatestUnratedRequest(ctx context.Context, hh domain.HouseholdID, since time.Time) (store.Request, error)
	AddRating(ctx context.Context, r store.Rating, actor domain.PersonID) (store.Rating, error)
	RatingsOfHousehold(ctx context.Context, hh domain.HouseholdID) ([]store.Rating, error)
	ReplaceRating(ctx context.Context, id int64, score int, text string, at time.Time, actor domain.PersonID) error
}

// Store is everything the conversation needs from the database.
type Store interface {
	People
	CheckIns
	Requests
}

// Dialogs keeps short-lived follow-up state (numbered questions) with an expiry; *store.KV.
type Dialogs interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Del(ctx context.Context, keys ...string) error
}

// Deps are the router's dependencies, passed explicitly.
type Deps struct {
	Store   Store
	Dialogs Dialogs
	Clock   clock.Clock
	Config  config.Config
	Logger  *slog.Logger
	// Hanzi folds traditional script to simplified in every message and household name
	// (hanzi.New, built once where the program is wired); nil folds nothing.
	Hanzi *hanzi.Folder
	// Extra holds the dependencies of commands written elsewhere (coordinator reports, spot-checks),
	// so adding such a command does not change this struct's users. Nil entries are allowed.
	Extra ExtraDeps
}

// Router turns inbound messages into replies; it implements bot.Handler.
type Router struct {
	store   Store
	dialogs Dialogs
	clock   clock.Clock
	cfg     config.Config
	log     *slog.Logger
	policy  *policy.Engine
	fold    *hanzi.Folder
	extra   ExtraDeps
	routes  []route
	pre     []interceptor
}

// New builds the router and its table.
func New(d Deps) *Router {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	r := &Router{store: d.Store, dialogs: d.Dialogs, clock: d.Clock, cfg: d.Config, log: d.Logger.With("comp", "handlers"),
		policy: policy.New(d.Config.Frequency), fold: d.Hanzi, extra: d.Extra}
	r.routes = r.table()
	r.pre = r.interceptors()
	return r
}

func (r *Router) now() time.Time { return r.clock.Now().In(clock.Shanghai) }
