package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"qinqi/internal/domain"
)

// CreateCheckIn stores a report and its audit row. A report whose SourceMsgID was stored before
// returns that row with created=false, so a re-delivered message never makes a second check-in.
// Inside a transaction or an inbound batch it writes in the caller's (no savepoint: the insert that
// can fail on a repeated message comes first, so a failure leaves nothing to undo, and a failing
// audit row fails the message, and with it the batch, which is rolled back as a whole).
func (s *Store) CreateCheckIn(ctx context.Context, c CheckIn, actor domain.PersonID) (CheckIn, bool, error) {
	c.OccurredAt, c.ReportedAt = c.OccurredAt.In(s.loc), c.ReportedAt.In(s.loc)
	c.Text, c.Items = clipRunes(c.Text, 2000), clipRunes(c.Items, 500)
	// No look-up first: the unique source_msg_id turns a repeated message into a duplicate-key error,
	// which costs nothing on the common path.
	write := func(tx *Store) error {
		if err := tx.insertCheckIn(ctx, &c); err != nil {
			return fmt.Errorf("store: create check-in: %w", err)
		}
		if err := tx.summarize(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActCreate, Entity: "checkin", EntityID: int64(c.ID),
			Detail: checkInDetail(c), At: c.ReportedAt})
	}
	var err error
	if s.inTx || inBatch(ctx) {
		err = write(s)
	} else {
		err = s.Tx(ctx, write)
	}
	if err != nil && IsDuplicate(err) {
		if old, ok := s.earlierReport(ctx, c); ok {
			return old, false, nil
		}
	}
	return c, err == nil, err
}

// earlierReport finds the row a duplicate-key error on c stands for: the same message, else the
// same report from another message.
func (s *Store) earlierReport(ctx context.Context, c CheckIn) (CheckIn, bool) {
	if c.SourceMsgID != nil {
		if old, err := one[CheckIn](s, ctx, "source_msg_id = ?", *c.SourceMsgID); err == nil {
			return old, true
		}
	}
	if c.ContentKey != nil {
		if old, err := one[CheckIn](s, ctx, "content_key = ?", *c.ContentKey); err == nil {
			return old, true
		}
	}
	return CheckIn{}, false
}

// checkInDetail is the audit detail of a new check-in: "kind=visit pairing=1 household=2 fen=0".
func checkInDetail(c CheckIn) string {
	b := make([]byte, 0, 64)
	b = append(b, "kind="...)
	b = append(b, c.Kind...)
	b = append(b, " pairing="...)
	b = strconv.AppendInt(b, int64(c.PairingID), 10)
	b = append(b, " household="...)
	b = strconv.AppendInt(b, int64(c.HouseholdID), 10)
	b = append(b, " fen="...)
	b = strconv.AppendInt(b, c.ValueFen, 10)
	return string(b)
}

// checkInInsertOne writes CheckIn's columns but the id, in the order insertCheckIn passes them
// (TestHandWrittenInsertsCoverTheModels keeps them in step with the model).
var checkInInsertOne = insertSQL("check_ins", []string{"pairing_id", "cadre_id", "household_id", "kind", "mode", "occurred_at", "reported_at",
	"place", "text", "items", "value_fen", "sales_items", "sales_fen", "lat", "lng", "distance_m", "far", "photo_ref",
	"source_msg_id", "content_key", "undone_at", "created_at", "updated_at"}, 1)

// insertCheckIn writes c as gorm's Create would (CreatedAt and UpdatedAt now unless set) and sets its ID.
func (s *Store) insertCheckIn(ctx context.Context, c *CheckIn) error {
	now := time.Now().In(s.loc)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now
	}
	var dist any
	if c.DistanceM != nil {
		dist = int64(*c.DistanceM)
	}
	id, err := s.insertRow(ctx, checkInInsertOne, int64(c.PairingID), int64(c.CadreID), int64(c.HouseholdID), string(c.Kind),
		string(c.Mode), c.OccurredAt, c.ReportedAt, c.Place, c.Text, c.Items, c.ValueFen, c.SalesItems, c.SalesFen, ptrArg(c.Lat),
		ptrArg(c.Lng), dist, c.Far, c.PhotoRef, ptrArg(c.SourceMsgID), ptrArg(c.ContentKey), ptrArg(c.UndoneAt), c.CreatedAt, c.UpdatedAt)
	c.ID = domain.CheckInID(id)
	return err
}

// CheckInByID returns one check-in or ErrNotFound.
func (s *Store) CheckInByID(ctx context.Context, id domain.CheckInID) (CheckIn, error) {
	return one[CheckIn](s, ctx, "id = ?", id)
}

// LastCheckInOfCadre returns the cadre's most recently reported check-in that is not undone.
func (s *Store) LastCheckInOfCadre(ctx context.Context, cadre domain.PersonID) (CheckIn, error) {
	var c CheckIn
	err := s.q(ctx).Where("cadre_id = ? AND undone_at IS NULL", cadre).Order("reported_at DESC, id DESC").Take(&c).Error
	if err != nil {
		return c, fmt.Errorf("store: last check-in of cadre %d: %w", cadre, notFound(err))
	}
	return c, nil
}

// CheckInsReportedAt lists the cadre's non-undone check-ins reported at the instant at, oldest
// first: the reports one message recorded for several households share it.
func (s *Store) CheckInsReportedAt(ctx context.Context, cadre domain.PersonID, at time.Time) ([]CheckIn, error) {
	var rows []CheckIn
	err := s.q(ctx).Where("cadre_id = ? AND reported_at = ? AND undone_at IS NULL", cadre, at.In(s.loc)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: check-ins of cadre %d reported at one time: %w", cadre, err)
	}
	return rows, nil
}

// RecentReports narrows CheckInsOfCadreOn to what a report sent again can repeat: the cadre's
// check-ins of these kinds for these households, happened in [From, To) and reported since Since.
type RecentReports struct {
	Households []domain.HouseholdID
	Kinds      []domain.CheckInKind
	From, To   time.Time
	Since      time.Time
}

// recentReportsMax bounds the rows read for one report: a resend repeats one of the cadre's last
// reports of that household and kind. The read walks the cadre's index (cadre, happened) backwards from the
// newest and stops at the bound, so a cadre who reports one household many times a day (the bench
// does) costs a report a few index entries, not the whole day.
const recentReportsMax = 4

// recentReportCols are what comparing a report with an earlier one and naming it take: a row read
// on every report is decoded column by column, and each time column costs the SQLite driver a parse.
var recentReportCols = []string{"id", "cadre_id", "household_id", "kind", "occurred_at", "reported_at", "text", "items",
	"value_fen", "sales_items", "sales_fen", "source_msg_id"}

// CheckInsOfCadreOn lists the cadre's non-undone check-ins that q narrows to, at most the newest
// recentReportsMax, oldest first, with recentReportCols filled: a report sent again in other words is
// looked for among them (CheckInByID reads one whole).
func (s *Store) CheckInsOfCadreOn(ctx context.Context, cadre domain.PersonID, q RecentReports) ([]CheckIn, error) {
	var rows []CheckIn
	err := s.q(ctx).Table(s.byHousehold()).Select(recentReportCols).Where("cadre_id = ? AND household_id IN ? AND kind IN ? AND occurred_at >= ? AND occurred_at < ? AND reported_at >= ? AND undone_at IS NULL",
		cadre, q.Households, q.Kinds, q.From.In(s.loc), q.To.In(s.loc), q.Since.In(s.loc)).
		Order("occurred_at DESC, id DESC").Limit(recentReportsMax).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: recent check-ins of cadre %d: %w", cadre, err)
	}
	slices.Reverse(rows)
	return rows, nil
}

// byHousehold names check_ins read through idx_checkin_household (household, happened): both engines
// otherwise walk the cadre's index and look up every report of the cadre's day to find a few of one
// household's (in the check-in bench, each report read about 180 rows that way on SQLite).
func (s *Store) byHousehold() string {
	if s.driver == DriverMySQL {
		return "check_ins FORCE INDEX (idx_checkin_household)"
	}
	return "check_ins INDEXED BY idx_checkin_household"
}

// UndoCheckIn marks a check-in as undone (it stays in the table for the audit trail) and takes it
// out of its pairing's summary.
func (s *Store) UndoCheckIn(ctx context.Context, id domain.CheckInID, actor domain.PersonID, at time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		// the key goes with the undo, so the same report can be sent again and recorded
		res := tx.q(ctx).Model(&CheckIn{}).Where("id = ? AND undone_at IS NULL", id).
			Updates(map[string]any{"undone_at": at.In(s.loc), "content_key": nil})
		if res.Error != nil {
			return fmt.Errorf("store: undo check-in %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: undo check-in %d: %w", id, ErrNotFound)
		}
		var c CheckIn
		if err := tx.q(ctx).Select("pairing_id, kind, occurred_at").Where("id = ?", id).Take(&c).Error; err != nil {
			return fmt.Errorf("store: undo check-in %d: %w", id, err)
		}
		if err := tx.unsummarize(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActUndo, Entity: "checkin", EntityID: int64(id), At: at})
	})
}

// Evidence is a location or photo sent after a report.
type Evidence struct {
	Lat, Lng  *float64
	DistanceM *int
	Far       bool
	PhotoRef  string
}

// AttachEvidence adds a location or a photo to a check-in; a later location replaces an earlier one.
func (s *Store) AttachEvidence(ctx context.Context, id domain.CheckInID, e Evidence, actor domain.PersonID, at time.Time) error {
	upd := map[string]any{}
	detail := "photo"
	if e.Lat != nil && e.Lng != nil {
		upd["lat"], upd["lng"], upd["distance_m"], upd["far"] = *e.Lat, *e.Lng, e.DistanceM, e.Far
		detail = fmt.Sprintf("location far=%v", e.Far)
	}
	if e.PhotoRef != "" {
		upd["photo_ref"] = clipRunes(e.PhotoRef, 255)
	}
	if len(upd) == 0 {
		return errors.New("store: attach evidence: nothing to attach")
	}
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.q(ctx).Model(&CheckIn{}).Where("id = ?", id).Updates(upd)
		if res.Error != nil {
			return fmt.Errorf("store: attach to check-in %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: attach to check-in %d: %w", id, ErrNotFound)
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActAttach, Entity: "checkin", EntityID: int64(id), Detail: detail, At: at})
	})
}

// CheckInContent is what a report says: its diary text, goods, aid money and sales help.
type CheckInContent struct {
	Text, Items, SalesItems string
	ValueFen, SalesFen      int64
}

// AmendCheckIn replaces what a standing report says (a cadre's 补充 to it), with its audit row in the
// same transaction. The content key stays: it names the message that made the report, so that message
// sent again is still "already recorded". An undone or unknown report is ErrNotFound.
func (s *Store) AmendCheckIn(ctx context.Context, id domain.CheckInID, c CheckInContent, actor domain.PersonID, at time.Time) error {
	upd := map[string]any{"text": c.Text, "items": c.Items, "value_fen": c.ValueFen, "sales_items": c.SalesItems, "sales_fen": c.SalesFen}
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.q(ctx).Model(&CheckIn{}).Where("id = ? AND undone_at IS NULL", id).Updates(upd)
		if res.Error != nil {
			return fmt.Errorf("store: amend check-in %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: amend check-in %d: %w", id, ErrNotFound)
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActAmend, Entity: "checkin", EntityID: int64(id), At: at})
	})
}

// CheckInsOfPairingsSince lists the non-undone check-ins of the pairings that happened at or after
// since. A relayed pairing's list includes those of the pairings it continues, under its own
// PairingID (the household's story, relay_chain.go).
func (s *Store) CheckInsOfPairingsSince(ctx context.Context, pairings []domain.PairingID, since time.Time) ([]CheckIn, error) {
	if len(pairings) == 0 {
		return nil, nil
	}
	all, chains, err := s.withChains(ctx, pairings)
	if err != nil {
		return nil, err
	}
	var rows []CheckIn
	err = s.q(ctx).Where("pairing_id IN ? AND undone_at IS NULL AND occurred_at >= ?", all, since.In(s.loc)).
		Order("occurred_at").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: check-ins of pairings: %w", err)
	}
	return underChains(rows, pairings, chains), nil
}

// underChains files check-ins of earlier pairings of a chain under the requested pairing and drops
// those of no requested pairing.
func underChains(rows []CheckIn, requested []domain.PairingID, chains map[domain.PairingID]relayChain) []CheckIn {
	owner := map[domain.PairingID]domain.PairingID{}
	for _, id := range requested {
		owner[id] = id
	}
	for id, ch := range chains {
		for _, a := range ch.from {
			owner[a] = id
		}
	}
	out := rows[:0]
	for _, r := range rows {
		if o, ok := owner[r.PairingID]; ok {
			r.PairingID = o
			out = append(out, r)
		}
	}
	return out
}

// LastCheckInAt returns, per pairing, when the latest non-undone check-in happened (absent: never),
// relay chains included.
func (s *Store) LastCheckInAt(ctx context.Context, pairings []domain.PairingID) (map[domain.PairingID]time.Time, error) {
	out := map[domain.PairingID]time.Time{}
	if len(pairings) == 0 {
		return out, nil
	}
	all, chains, err := s.withChains(ctx, pairings)
	if err != nil {
		return nil, err
	}
	var rows []CheckIn
	// one row per pairing: small lists (a cadre's households), so a plain scan is fine
	err = s.q(ctx).Select("pairing_id, occurred_at").Where("pairing_id IN ? AND undone_at IS NULL", all).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: last check-ins: %w", err)
	}
	for _, r := range underChains(rows, pairings, chains) {
		if t := r.OccurredAt.In(s.loc); t.After(out[r.PairingID]) {
			out[r.PairingID] = t
		}
	}
	return out, nil
}

// CheckInsOfCadre lists the cadre's check-ins (undone included), oldest first; tests and exports use it.
func (s *Store) CheckInsOfCadre(ctx context.Context, cadre domain.PersonID) ([]CheckIn, error) {
	var rows []CheckIn
	if err := s.q(ctx).Where("cadre_id = ?", cadre).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: check-ins of cadre %d: %w", cadre, err)
	}
	return rows, nil
}

// LatestCheckInsBefore returns, per pairing and kind, the latest non-undone check-in before t
// (kind and time only; relay chains included): policy.Evaluate needs them to date an overdue period correctly.
func (s *Store) LatestCheckInsBefore(ctx context.Context, pairings []domain.PairingID, t time.Time) ([]CheckIn, error) {
	if len(pairings) == 0 {
		return nil, nil
	}
	all, chains, err := s.withChains(ctx, pairings)
	if err != nil {
		return nil, err
	}
	var rows []CheckIn
	err = s.q(ctx).Select("pairing_id, kind, occurred_at").
		Where("pairing_id IN ? AND undone_at IS NULL AND occurred_at < ?", all, t.In(s.loc)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: earlier check-ins: %w", err)
	}
	rows = underChains(rows, pairings, chains)
	type key struct {
		p domain.PairingID
		k domain.CheckInKind
	}
	latest := map[key]CheckIn{}
	for _, r := range rows {
		k := key{r.PairingID, r.Kind}
		if old, ok := latest[k]; !ok || r.OccurredAt.After(old.OccurredAt) {
			latest[k] = r
		}
	}
	out := make([]CheckIn, 0, len(latest))
	for _, c := range latest {
		out = append(out, c)
	}
	return out, nil
}
