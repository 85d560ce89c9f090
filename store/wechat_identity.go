package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm/clause"
)

// wechatTransport is the Transport value of WeChat chat identities.
const wechatTransport = "wechat"

// RemarkPrefix starts the remark name an operator sets on the phone to tie a friend to a person:
// "qq-<person code>".
const RemarkPrefix = "qq-"

// WeChatContact is one friend of a bot account as seen right after a login.
type WeChatContact struct {
	UserName   string // the key for this login only
	RemarkName string
	NickName   string // anyone can set any nickname: recorded, never proof of who someone is
}

// RemapCounts says what RemapWeChat did; it is logged instead of any name.
type RemapCounts struct {
	Kept      int // the key was already bound (still valid, or bound since the login)
	ByRemark  int // mapped by a "qq-<code>" remark name
	Ambiguous int // a remark named a person two friends claim, or one who holds a key already
	Unknown   int // no usable remark: asked to bind when they write
	Removed   int // rows of keys from earlier logins deleted
	Unplaced  int // people bound before whom no friend could be tied to: unbound, and told
}

// RemapWeChat rewrites an account's WeChat identities after a login. The only proof that a friend
// of the new login is a person is a "qq-<code>" remark the operator set on the bot account's phone;
// a nickname is never enough, since anyone can take a name another person just gave up. A friend
// without a usable remark stays unbound and is asked to bind when they write. Keys of earlier logins
// are deleted; each person left without a key here is audited and told through notify (nil: no one),
// on their other identities or, with none, through the coordinators who can issue a new code.
func (s *Store) RemapWeChat(ctx context.Context, account string, contacts []WeChatContact, now time.Time, notify Notifier) (RemapCounts, error) {
	var c RemapCounts
	err := s.Tx(ctx, func(tx *Store) error {
		var rows []ChatIdentity
		if err := tx.q(ctx).Where("transport = ? AND account = ?", wechatTransport, account).Find(&rows).Error; err != nil {
			return fmt.Errorf("store: wechat identities: %w", err)
		}
		plan, err := tx.planRemap(ctx, rows, contacts)
		if err != nil {
			return err
		}
		at := now.In(s.loc)
		if err := tx.applyRemap(ctx, account, plan, at); err != nil {
			return err
		}
		c = plan.counts
		if c.Unplaced, err = tx.unplaced(ctx, account, plan, at, notify); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Action: "remap", Entity: "chat_identity", At: at,
			Detail: fmt.Sprintf("wechat/%s kept=%d remark=%d ambiguous=%d unknown=%d removed=%d unplaced=%d",
				account, c.Kept, c.ByRemark, c.Ambiguous, c.Unknown, c.Removed, c.Unplaced)})
	})
	if err != nil {
		return RemapCounts{}, err
	}
	return c, nil
}

type remapPlan struct {
	counts  RemapCounts
	fresh   []ChatIdentity
	stale   []ChatIdentity // rows of keys the new login does not have
	renamed []ChatIdentity // kept rows whose nickname or remark changed
}

// planRemap decides every contact's person without writing anything.
func (s *Store) planRemap(ctx context.Context, rows []ChatIdentity, contacts []WeChatContact) (remapPlan, error) {
	var p remapPlan
	now := map[string]bool{}
	for _, ct := range contacts {
		now[ct.UserName] = true
	}
	byKey := map[string]ChatIdentity{}
	taken := map[domain.PersonID]bool{}
	for _, r := range rows {
		byKey[r.ExternalKey] = r
		if now[r.ExternalKey] {
			taken[r.PersonID] = true
		} else {
			p.stale = append(p.stale, r)
		}
	}
	var open []WeChatContact
	for _, ct := range contacts {
		ct.NickName, ct.RemarkName = clipRunes(ct.NickName, 64), clipRunes(ct.RemarkName, 64)
		if r, ok := byKey[ct.UserName]; ok {
			p.counts.Kept++
			if r.NickName != ct.NickName || r.RemarkName != ct.RemarkName {
				r.NickName, r.RemarkName = ct.NickName, ct.RemarkName
				p.renamed = append(p.renamed, r)
			}
			continue
		}
		open = append(open, ct)
	}
	rest, err := s.mapByRemark(ctx, open, taken, &p)
	if err != nil {
		return p, err
	}
	p.counts.Unknown = len(rest)
	p.counts.Removed = len(p.stale)
	return p, nil
}

// remarkCode returns the person code of a "qq-<code>" remark, or "".
func remarkCode(remark string) string {
	r := strings.TrimSpace(remark)
	if len(r) <= len(RemarkPrefix) || !strings.EqualFold(r[:len(RemarkPrefix)], RemarkPrefix) {
		return ""
	}
	return strings.TrimSpace(r[len(RemarkPrefix):])
}

// mapByRemark maps contacts whose remark names a known person; it returns the rest. Two friends
// with the same person's remark are both left unmapped.
func (s *Store) mapByRemark(ctx context.Context, open []WeChatContact, taken map[domain.PersonID]bool, p *remapPlan) ([]WeChatContact, error) {
	var codes []string
	for _, ct := range open {
		if code := remarkCode(ct.RemarkName); code != "" {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return open, nil
	}
	people, err := s.PeopleByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	claims := map[domain.PersonID]int{}
	for _, ct := range open {
		if per, ok := people[remarkCode(ct.RemarkName)]; ok {
			claims[per.ID]++
		}
	}
	var rest []WeChatContact
	for _, ct := range open {
		per, ok := people[remarkCode(ct.RemarkName)]
		switch {
		case !ok:
			rest = append(rest, ct) // no remark, or one naming no one
		case claims[per.ID] > 1 || taken[per.ID]:
			p.counts.Ambiguous++
		default:
			p.counts.ByRemark++
			p.fresh = append(p.fresh, identity(ct, per.ID))
		}
	}
	for _, ct := range open {
		if per, ok := people[remarkCode(ct.RemarkName)]; ok && claims[per.ID] == 1 && !taken[per.ID] {
			taken[per.ID] = true
		}
	}
	return rest, nil
}

func identity(ct WeChatContact, person domain.PersonID) ChatIdentity {
	return ChatIdentity{Transport: wechatTransport, ExternalKey: ct.UserName, PersonID: person,
		NickName: ct.NickName, RemarkName: ct.RemarkName}
}

// applyRemap writes the plan: stale keys out, new keys in (a key bound concurrently wins) and the
// people's bot account set.
func (s *Store) applyRemap(ctx context.Context, account string, p remapPlan, at time.Time) error {
	db := s.q(ctx)
	if len(p.stale) > 0 {
		ids := make([]int64, len(p.stale))
		for i, r := range p.stale {
			ids[i] = r.ID
		}
		if err := db.Where("id IN ?", ids).Delete(&ChatIdentity{}).Error; err != nil {
			return fmt.Errorf("store: delete stale identities: %w", err)
		}
	}
	for _, r := range p.renamed {
		if err := db.Model(&ChatIdentity{}).Where("id = ?", r.ID).
			Updates(map[string]any{"nick_name": r.NickName, "remark_name": r.RemarkName, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("store: update identity names: %w", err)
		}
	}
	if len(p.fresh) > 0 {
		var ids []domain.PersonID
		for i := range p.fresh {
			p.fresh[i].Account, p.fresh[i].CreatedAt, p.fresh[i].UpdatedAt = account, at, at
			ids = append(ids, p.fresh[i].PersonID)
		}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&p.fresh, 200).Error; err != nil {
			return fmt.Errorf("store: save identities: %w", err)
		}
		if err := db.Model(&Person{}).Where("id IN ?", ids).Updates(map[string]any{"account": account, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("store: set people's account: %w", err)
		}
	}
	return nil
}

// unplaced audits and tells each person whose key of an earlier login was removed and who has no
// key on the account now (a remark placed them, or a bind since the login did); it returns their
// number. The people a remark placed are skipped without a query: after a re-login that is nearly
// everyone.
func (s *Store) unplaced(ctx context.Context, account string, p remapPlan, at time.Time, notify Notifier) (int, error) {
	placed := map[domain.PersonID]bool{}
	for _, f := range p.fresh {
		placed[f.PersonID] = true
	}
	d := unplacedDigest{account: account, at: at}
	for _, old := range p.stale {
		if placed[old.PersonID] {
			continue
		}
		var keys int64
		if err := s.q(ctx).Model(&ChatIdentity{}).Where("transport = ? AND account = ? AND person_id = ?",
			wechatTransport, account, old.PersonID).Count(&keys).Error; err != nil {
			return d.n, fmt.Errorf("store: keys of person: %w", err)
		}
		if keys > 0 {
			continue
		}
		d.n++
		if err := s.Audit(ctx, AuditEntry{Actor: old.PersonID, Action: ActUnbind, Entity: "chat_identity", EntityID: old.ID,
			Detail: "wechat/" + account + ": not placed after a new login (no qq- remark)", At: at}); err != nil {
			return d.n, err
		}
		if err := s.tellUnplaced(ctx, old, &d, notify); err != nil {
			return d.n, err
		}
	}
	return d.n, d.send(ctx, s, notify)
}

// unplacedDigest gathers, per coordinator, the unplaced people no channel reaches.
type unplacedDigest struct {
	account string
	at      time.Time
	n       int
	chart   *OrgChart
	order   []domain.PersonID
	people  map[domain.PersonID][]Person
	first   int64 // the first unplaced row: with the coordinator, it makes the notices' keys unique
}

// tellUnplaced tells the person on their other identities, pointing their messages there, or,
// with none, adds them to their coordinators' digest.
func (s *Store) tellUnplaced(ctx context.Context, old ChatIdentity, d *unplacedDigest, notify Notifier) error {
	p, err := s.PersonByID(ctx, old.PersonID)
	if err != nil {
		return err
	}
	others, err := s.identitiesOf(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		latest := others[len(others)-1].Account
		if err := s.q(ctx).Model(&Person{}).Where("id = ?", p.ID).Updates(map[string]any{"account": latest, "updated_at": d.at}).Error; err != nil {
			return fmt.Errorf("store: reroute person: %w", err)
		}
		return s.tell(ctx, notify, IdentityChange{Kind: ChangeUnplaced, Ref: fmt.Sprintf("identity:unplaced:%d", old.ID),
			Person: p, Old: old, Others: others, At: d.at})
	}
	if notify == nil {
		return nil
	}
	if d.chart == nil {
		chart, err := s.LoadOrgChart(ctx)
		if err != nil {
			return err
		}
		d.chart, d.people, d.first = &chart, map[domain.PersonID][]Person{}, old.ID
	}
	unit, err := s.unitOf(ctx, p, d.at)
	if err != nil {
		return err
	}
	for _, c := range issuers(*d.chart, unit, p.ID) {
		if d.people[c] == nil {
			d.order = append(d.order, c)
		}
		d.people[c] = append(d.people[c], p)
	}
	return nil
}

// send queues one digest per coordinator.
func (d *unplacedDigest) send(ctx context.Context, s *Store, notify Notifier) error {
	for _, c := range d.order {
		coord, err := s.PersonByID(ctx, c)
		if err != nil {
			return err
		}
		err = s.tell(ctx, notify, IdentityChange{Kind: ChangeUnplacedDigest, Ref: fmt.Sprintf("identity:unplaced:%d:to:%d", d.first, c),
			Person: coord, Old: ChatIdentity{Transport: wechatTransport, Account: d.account}, Unplaced: d.people[c], At: d.at})
		if err != nil {
			return err
		}
	}
	return nil
}
