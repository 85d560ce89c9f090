package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// Audit actions and entities of the household's word.
const (
	ActAnswer   = "answer" // a household answered a confirmation (or a coordinator recorded a call-back)
	ActVerify   = "verify" // a coordinator closed a discrepancy (核实)
	ActExport   = "export" // a file with full phone numbers was written (the call-back list)
	EntConfirm  = "visit_confirm"
	EntDisc     = "discrepancy"
	EntCallback = "callback_list"
)

// ConfirmCheckIn is one check-in as a household is asked about it.
type ConfirmCheckIn struct {
	CheckInID   domain.CheckInID
	HouseholdID domain.HouseholdID
	CadreID     domain.PersonID
	CadreName   string
	CadreUnit   *domain.UnitID
	Kind        domain.CheckInKind
	OccurredAt  time.Time
	Items       string
	ValueFen    int64
}

func (s *Store) confirmCheckIns() string {
	return "c.id AS check_in_id, c.household_id AS household_id, c.cadre_id AS cadre_id, p.name AS cadre_name, " +
		"p.unit_id AS cadre_unit, c.kind AS kind, c.occurred_at AS occurred_at, c.items AS items, c.value_fen AS value_fen"
}

// UnaskedCheckIns lists live check-ins of the kinds, reported in [from, to), that no question or
// call-back covers yet, by household and time. occurredFrom bounds the scan by the indexed column
// (a report is dated at most checkin.max_days_back before it was sent).
func (s *Store) UnaskedCheckIns(ctx context.Context, kinds []domain.CheckInKind, occurredFrom, from, to time.Time) ([]ConfirmCheckIn, error) {
	var out []ConfirmCheckIn
	if len(kinds) == 0 {
		return nil, nil
	}
	err := s.q(ctx).Table("check_ins AS c").Select(s.confirmCheckIns()).
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Joins("LEFT JOIN confirm_items AS ci ON ci.check_in_id = c.id").
		Where("ci.id IS NULL AND c.undone_at IS NULL AND c.kind IN ? AND c.occurred_at >= ? AND c.reported_at >= ? AND c.reported_at < ?",
			kinds, occurredFrom.In(s.loc), from.In(s.loc), to.In(s.loc)).
		Order("c.household_id, c.occurred_at, c.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unasked check-ins: %w", err)
	}
	s.localTimes(out)
	return out, nil
}

func (s *Store) localTimes(rows []ConfirmCheckIn) {
	for i := range rows {
		rows[i].OccurredAt = rows[i].OccurredAt.In(s.loc)
	}
}

// LastChatConfirms maps households to the time of the last question asked them in chat at or
// after since (households without one are absent).
func (s *Store) LastChatConfirms(ctx context.Context, hhs []domain.HouseholdID, since time.Time) (map[domain.HouseholdID]time.Time, error) {
	out := make(map[domain.HouseholdID]time.Time, len(hhs))
	for start := 0; start < len(hhs); start += keyChunk {
		var rows []VisitConfirm
		err := s.q(ctx).Select("household_id, asked_at").
			Where("via = ? AND asked_at >= ? AND household_id IN ?", domain.ViaChat, since.In(s.loc), hhs[start:min(start+keyChunk, len(hhs))]).
			Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: last confirmations: %w", err)
		}
		for _, r := range rows {
			if t := r.AskedAt.In(s.loc); t.After(out[r.HouseholdID]) {
				out[r.HouseholdID] = t
			}
		}
	}
	return out, nil
}

// CreateVisitConfirm stores a question (or a call-back) with the check-ins it covers; use it inside
// the transaction that enqueues the question. A check-in already covered makes it fail.
func (s *Store) CreateVisitConfirm(ctx context.Context, vc *VisitConfirm, items []domain.CheckInID) error {
	vc.AskedAt = vc.AskedAt.In(s.loc)
	vc.CreatedAt, vc.UpdatedAt = vc.AskedAt, vc.AskedAt
	if err := s.q(ctx).Create(vc).Error; err != nil {
		return fmt.Errorf("store: create confirmation: %w", err)
	}
	rows := make([]ConfirmItem, len(items))
	for i, id := range items {
		rows[i] = ConfirmItem{ConfirmID: vc.ID, CheckInID: id}
	}
	if len(rows) > 0 {
		if err := s.q(ctx).CreateInBatches(&rows, upsertBatch).Error; err != nil {
			return fmt.Errorf("store: confirmation items: %w", err)
		}
	}
	return nil
}

// OpenConfirm is the household's latest unanswered chat question asked at or after since, or ErrNotFound.
func (s *Store) OpenConfirm(ctx context.Context, hh domain.HouseholdID, since time.Time) (VisitConfirm, error) {
	var r VisitConfirm
	err := s.q(ctx).Where("household_id = ? AND via = ? AND answer = ? AND asked_at >= ?", hh, domain.ViaChat, domain.AnswerNone, since.In(s.loc)).
		Order("asked_at DESC, id DESC").Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("store: open confirmation: %w", notFound(err))
	}
	return r, nil
}

// LatestChatConfirm is the household's latest chat question, answered or not, or ErrNotFound.
func (s *Store) LatestChatConfirm(ctx context.Context, hh domain.HouseholdID) (VisitConfirm, error) {
	var r VisitConfirm
	err := s.q(ctx).Where("household_id = ? AND via = ?", hh, domain.ViaChat).Order("asked_at DESC, id DESC").Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("store: latest confirmation: %w", notFound(err))
	}
	return r, nil
}

// ConfirmCheckIns lists the live check-ins a question or call-back covers, in time order.
func (s *Store) ConfirmCheckIns(ctx context.Context, id domain.ConfirmID) ([]ConfirmCheckIn, error) {
	var out []ConfirmCheckIn
	err := s.q(ctx).Table("confirm_items AS ci").Select(s.confirmCheckIns()).
		Joins("JOIN check_ins AS c ON c.id = ci.check_in_id").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("ci.confirm_id = ? AND c.undone_at IS NULL", id).Order("c.occurred_at, c.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: confirmation check-ins: %w", err)
	}
	s.localTimes(out)
	return out, nil
}

// HouseholdAnswer is what a household said, to record in one transaction: the answer to an existing
// chat question (Confirm.ID set) or a new phone call-back (Confirm.ID zero, covering Items), the
// monthly call-back question it answers (Spot, optional), and the discrepancies it opens.
type HouseholdAnswer struct {
	Confirm *VisitConfirm
	Items   []domain.CheckInID
	Spot    *SpotCheck
	Discs   []Discrepancy
	Actor   domain.PersonID
	At      time.Time
}

// SaveHouseholdAnswer records a; notes builds the notifications from the stored discrepancies
// (with their ids). An answer already recorded returns ErrDuplicate and changes nothing.
func (s *Store) SaveHouseholdAnswer(ctx context.Context, a HouseholdAnswer, notes func([]Discrepancy) []OutboxMessage) ([]Discrepancy, error) {
	var discs []Discrepancy
	err := s.Tx(ctx, func(tx *Store) error {
		discs = append(discs[:0], a.Discs...)
		var cid *domain.ConfirmID
		if c := a.Confirm; c != nil {
			if err := tx.answerConfirm(ctx, c, a.Items, a.At); err != nil {
				return err
			}
			cid = &c.ID
		}
		if sp := a.Spot; sp != nil {
			if err := tx.answerSpot(ctx, sp, a.At); err != nil {
				return err
			}
		}
		for i := range discs {
			discs[i].ConfirmID, discs[i].OpenedAt = cid, a.At.In(s.loc)
			discs[i].CreatedAt, discs[i].UpdatedAt = discs[i].OpenedAt, discs[i].OpenedAt
			if a.Spot != nil && discs[i].Source != domain.DiscFromConfirm {
				discs[i].SpotCheckID = &a.Spot.ID
			}
		}
		if len(discs) > 0 {
			if err := tx.q(ctx).Create(&discs).Error; err != nil {
				return fmt.Errorf("store: open discrepancies: %w", err)
			}
		}
		if err := tx.auditAnswer(ctx, a, discs); err != nil {
			return err
		}
		if notes == nil {
			return nil
		}
		return tx.enqueueAll(ctx, notes(discs))
	})
	return discs, err
}

func (s *Store) answerConfirm(ctx context.Context, c *VisitConfirm, items []domain.CheckInID, at time.Time) error {
	at = at.In(s.loc)
	c.AnsweredAt, c.UpdatedAt = &at, at
	if c.ID == 0 {
		return s.CreateVisitConfirm(ctx, c, items)
	}
	res := s.q(ctx).Model(&VisitConfirm{}).Where("id = ? AND answer = ?", c.ID, domain.AnswerNone).
		Updates(map[string]any{"answer": c.Answer, "answered_at": at, "answered_by": c.AnsweredBy, "note": clipRunes(c.Note, 500), "updated_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: answer confirmation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: confirmation %d already answered: %w", c.ID, ErrDuplicate)
	}
	return nil
}

func (s *Store) answerSpot(ctx context.Context, sp *SpotCheck, at time.Time) error {
	res := s.q(ctx).Model(&SpotCheck{}).Where("id = ? AND answer = ?", sp.ID, domain.AnswerNone).Updates(map[string]any{
		"answer": sp.Answer, "answered_at": at.In(s.loc), "logged_visits": sp.LoggedVisits, "discrepancy": sp.Discrepancy,
		"answered_by": sp.AnsweredBy, "note": clipRunes(sp.Note, 500), "updated_at": at.In(s.loc)})
	if res.Error != nil {
		return fmt.Errorf("store: answer spot check: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: spot check %d already answered: %w", sp.ID, ErrDuplicate)
	}
	return nil
}

func (s *Store) auditAnswer(ctx context.Context, a HouseholdAnswer, discs []Discrepancy) error {
	detail := fmt.Sprintf("discrepancies=%d", len(discs))
	if c := a.Confirm; c != nil {
		if err := s.Audit(ctx, AuditEntry{Actor: a.Actor, Action: ActAnswer, Entity: EntConfirm, EntityID: int64(c.ID),
			Detail: fmt.Sprintf("via=%s answer=%s %s", c.Via, c.Answer, detail), At: a.At}); err != nil {
			return err
		}
	}
	if sp := a.Spot; sp != nil {
		return s.Audit(ctx, AuditEntry{Actor: a.Actor, Action: ActAnswer, Entity: "spot_check", EntityID: int64(sp.ID),
			Detail: fmt.Sprintf("answer=%s %s", sp.Answer, detail), At: a.At})
	}
	return nil
}

// DiscrepancyByID returns one discrepancy, or ErrNotFound.
func (s *Store) DiscrepancyByID(ctx context.Context, id domain.DiscID) (Discrepancy, error) {
	return one[Discrepancy](s, ctx, "id = ?", id)
}

// OpenDiscrepancies lists discrepancies not yet verified in the units (nil: every unit), oldest first.
func (s *Store) OpenDiscrepancies(ctx context.Context, units []domain.UnitID, limit int) ([]Discrepancy, error) {
	var out []Discrepancy
	q := unitScope(s.q(ctx).Where("closed_at IS NULL"), "unit_id", units)
	if err := q.Order("opened_at, id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: open discrepancies: %w", err)
	}
	return out, nil
}

// CountOpenDiscrepancies counts discrepancies not yet verified in the units (nil: every unit).
func (s *Store) CountOpenDiscrepancies(ctx context.Context, units []domain.UnitID) (int64, error) {
	var n int64
	q := unitScope(s.q(ctx).Model(&Discrepancy{}).Where("closed_at IS NULL"), "unit_id", units)
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count open discrepancies: %w", err)
	}
	return n, nil
}

// AddDiscrepancyNote appends the household's later words to discrepancies still open, and queues
// the notes built from them, in one transaction.
func (s *Store) AddDiscrepancyNote(ctx context.Context, ids []domain.DiscID, note string, at time.Time, notes func([]Discrepancy) []OutboxMessage) ([]Discrepancy, error) {
	var out []Discrepancy
	err := s.Tx(ctx, func(tx *Store) error {
		out = out[:0]
		var rows []Discrepancy
		if err := tx.q(ctx).Where("id IN ? AND closed_at IS NULL", ids).Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("store: discrepancies to note: %w", err)
		}
		for _, d := range rows {
			d.Note = clipRunes(joinNote(d.Note, note), 500)
			if err := tx.q(ctx).Model(&Discrepancy{}).Where("id = ?", d.ID).
				Updates(map[string]any{"note": d.Note, "updated_at": at.In(s.loc)}).Error; err != nil {
				return fmt.Errorf("store: note discrepancy %d: %w", d.ID, err)
			}
			out = append(out, d)
		}
		if len(out) == 0 || notes == nil {
			return nil
		}
		return tx.enqueueAll(ctx, notes(out))
	})
	return out, err
}

func joinNote(old, add string) string {
	if old == "" {
		return add
	}
	return old + "；" + add
}

// CloseDiscrepancy records a coordinator's verdict once (ErrDuplicate when it was closed already),
// with its audit row and the notifications notes builds from the closed row.
func (s *Store) CloseDiscrepancy(ctx context.Context, id domain.DiscID, v domain.Verdict, finding string, actor domain.PersonID, at time.Time,
	notes func(Discrepancy) []OutboxMessage) (Discrepancy, error) {
	var d Discrepancy
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.q(ctx).Model(&Discrepancy{}).Where("id = ? AND closed_at IS NULL", id).Updates(map[string]any{
			"closed_at": at.In(s.loc), "closed_by": actor, "verdict": v, "finding": clipRunes(finding, 500), "updated_at": at.In(s.loc)})
		if res.Error != nil {
			return fmt.Errorf("store: close discrepancy: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: discrepancy %d already closed: %w", id, ErrDuplicate)
		}
		var err error
		if d, err = tx.DiscrepancyByID(ctx, id); err != nil {
			return err
		}
		if err := tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActVerify, Entity: EntDisc, EntityID: int64(id),
			Detail: "verdict=" + string(v), At: at}); err != nil {
			return err
		}
		if notes == nil {
			return nil
		}
		return tx.enqueueAll(ctx, notes(d))
	})
	return d, err
}
