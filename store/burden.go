package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"qinqi/internal/domain"
)

// QuestionKeySuffix ends the outbox key of a reply that is a follow-up question to the sender
// ("报的是哪一户？"), so the burden meter can count questions without reading texts.
const QuestionKeySuffix = ":q"

// reportWithin is how long after a reminder a report still counts as its answer.
const reportWithin = 30 * 24 * time.Hour

// BurdenRow is what qinqi asked of one cadre in a period: the burden meter.
type BurdenRow struct {
	CadreID  domain.PersonID
	Code     string
	Name     string
	UnitID   domain.UnitID
	UnitName string
	// Messages qinqi started to them: reminders, alerts, notices and reports, not replies to
	// their own messages.
	Messages int
	// Questions are the follow-up questions qinqi asked before it could record what they sent.
	Questions int
	// Reminders are the window and overdue reminders among Messages.
	Reminders int
	// Followed counts the reminders after which they reported within 30 days; MedianToReport is the
	// median time from such a reminder to the next report (-1 when none was followed).
	Followed       int
	MedianToReport time.Duration
}

// BurdenOf lists the burden of every cadre with a pairing in force in [from, to) in the units
// (nil: every unit), ordered by unit code and cadre code.
func (s *Store) BurdenOf(ctx context.Context, from, to time.Time, units []domain.UnitID) ([]BurdenRow, error) {
	var rows []BurdenRow
	q := s.q(ctx).Table("people AS p").
		Select("p.id AS cadre_id, p.code AS code, p.name AS name, COALESCE(p.unit_id, 0) AS unit_id, COALESCE(u.name, '') AS unit_name").
		Joins("LEFT JOIN units AS u ON u.id = p.unit_id").
		Where("p.id IN (?)", s.q(ctx).Table("pairings").Select("cadre_id").
			Where("start_on < ? AND (end_on IS NULL OR end_on > ?)", to.In(s.loc), from.In(s.loc)))
	if err := unitScope(q, "p.unit_id", units).Order("u.code, p.code").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: burden cadres: %w", err)
	}
	by := make(map[domain.PersonID]*BurdenRow, len(rows))
	ids := make([]domain.PersonID, len(rows))
	for i := range rows {
		rows[i].MedianToReport = -1
		by[rows[i].CadreID], ids[i] = &rows[i], rows[i].CadreID
	}
	for start := 0; start < len(ids); start += keyChunk {
		chunk := ids[start:min(start+keyChunk, len(ids))]
		if err := s.burdenChunk(ctx, chunk, from, to, by); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func (s *Store) burdenChunk(ctx context.Context, ids []domain.PersonID, from, to time.Time, by map[domain.PersonID]*BurdenRow) error {
	var msgs []OutboxMessage
	err := s.q(ctx).Select("person_id, `key`, priority, created_at").
		Where("person_id IN ? AND created_at >= ? AND created_at < ?", ids, from.In(s.loc), to.In(s.loc)).
		Order("created_at, id").Find(&msgs).Error
	if err != nil {
		return fmt.Errorf("store: burden messages: %w", err)
	}
	reminders := map[domain.PersonID][]time.Time{}
	for _, m := range msgs {
		r := by[*m.PersonID]
		switch {
		case strings.HasSuffix(m.Key, QuestionKeySuffix) && strings.HasPrefix(m.Key, "reply:"):
			r.Questions++
		case m.Priority == PriorityReply:
			// an answer to their own message is not a burden qinqi imposed
		default:
			r.Messages++
			if strings.HasPrefix(m.Key, "remind:") || strings.HasPrefix(m.Key, "overdue:") {
				r.Reminders++
				reminders[*m.PersonID] = append(reminders[*m.PersonID], m.CreatedAt.In(s.loc))
			}
		}
	}
	var reports []CheckIn
	err = s.q(ctx).Select("cadre_id, reported_at").
		Where("cadre_id IN ? AND reported_at >= ? AND reported_at < ? AND undone_at IS NULL", ids, from.In(s.loc), to.Add(reportWithin).In(s.loc)).
		Order("reported_at").Find(&reports).Error
	if err != nil {
		return fmt.Errorf("store: burden reports: %w", err)
	}
	reported := map[domain.PersonID][]time.Time{}
	for _, c := range reports {
		reported[c.CadreID] = append(reported[c.CadreID], c.ReportedAt.In(s.loc))
	}
	for id, rs := range reminders {
		by[id].Followed, by[id].MedianToReport = medianToReport(rs, reported[id])
	}
	return nil
}

// medianToReport pairs each reminder with the first report at or after it (within 30 days) and
// returns how many were followed and the median wait, or -1 without any.
func medianToReport(reminders, reports []time.Time) (int, time.Duration) {
	var waits []time.Duration
	for _, r := range reminders {
		i := sort.Search(len(reports), func(i int) bool { return !reports[i].Before(r) })
		if i < len(reports) && reports[i].Sub(r) <= reportWithin {
			waits = append(waits, reports[i].Sub(r))
		}
	}
	if len(waits) == 0 {
		return 0, -1
	}
	sort.Slice(waits, func(a, b int) bool { return waits[a] < waits[b] })
	mid := len(waits) / 2
	if len(waits)%2 == 1 {
		return len(waits), waits[mid]
	}
	return len(waits), (waits[mid-1] + waits[mid]) / 2
}

// ReminderMessagesSince counts, per cadre, the reminder messages (window and overdue reminders)
// queued for them since since: what reminders.monthly_budget is measured against.
func (s *Store) ReminderMessagesSince(ctx context.Context, cadres []domain.PersonID, since time.Time) (map[domain.PersonID]int, error) {
	out := map[domain.PersonID]int{}
	for start := 0; start < len(cadres); start += keyChunk {
		var rows []struct {
			PersonID domain.PersonID
			N        int
		}
		err := s.q(ctx).Model(&OutboxMessage{}).Select("person_id, COUNT(*) AS n").
			Where("person_id IN ? AND created_at >= ? AND (`key` LIKE ? OR `key` LIKE ?)",
				cadres[start:min(start+keyChunk, len(cadres))], since.In(s.loc), "remind:%", "overdue:%").
			Group("person_id").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: reminder messages: %w", err)
		}
		for _, r := range rows {
			out[r.PersonID] = r.N
		}
	}
	return out, nil
}
