package store

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	NickName   string
}

// RemapCounts says what RemapWeChat did; it is logged instead of any name.
type RemapCounts struct {
	Kept       int // the key was already bound (still valid, or bound since the login)
	ByRemark   int // mapped by a "qq-<code>" remark name
	ByNickName int // mapped by a nickname unique among the previous login's rows
	Ambiguous  int // a remark or nickname matched more than one candidate: must bind again
	Unknown    int // no clue: must bind again
	Removed    int // rows of keys from earlier logins deleted
}

// RemapWeChat rewrites an account's WeChat identities after a login: each friend's new user name
// is tied to a person first by a "qq-<code>" remark, else by a nickname that belonged to exactly one
// row of this account before and to exactly one friend now. Nothing is guessed: an ambiguous or
// unknown friend stays unbound and is asked to bind again. Keys of earlier logins are deleted.
func (s *Store) RemapWeChat(ctx context.Context, account string, contacts []WeChatContact, now time.Time) (RemapCounts, error) {
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
		c = plan.counts
		return tx.applyRemap(ctx, account, plan, now.In(s.loc))
	})
	if err != nil {
		return RemapCounts{}, err
	}
	return c, nil
}

type remapPlan struct {
	counts  RemapCounts
	fresh   []ChatIdentity
	stale   []int64
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
	oldNick := map[string][]ChatIdentity{}
	taken := map[PersonID]bool{}
	for _, r := range rows {
		byKey[r.ExternalKey] = r
		if r.NickName != "" {
			oldNick[r.NickName] = append(oldNick[r.NickName], r)
		}
		if now[r.ExternalKey] {
			taken[r.PersonID] = true
		} else {
			p.stale = append(p.stale, r.ID)
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
	open, err := s.mapByRemark(ctx, open, taken, &p)
	if err != nil {
		return p, err
	}
	mapByNickName(open, oldNick, now, taken, &p)
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
func (s *Store) mapByRemark(ctx context.Context, open []WeChatContact, taken map[PersonID]bool, p *remapPlan) ([]WeChatContact, error) {
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
	claims := map[PersonID]int{}
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
			rest = append(rest, ct) // no or unknown code: the nickname may still tell
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

// mapByNickName maps a contact only when its nickname was on exactly one row of a key that is
// gone, no other open contact has it, and that person is not mapped already.
func mapByNickName(open []WeChatContact, oldNick map[string][]ChatIdentity, now map[string]bool, taken map[PersonID]bool, p *remapPlan) {
	count := map[string]int{}
	for _, ct := range open {
		count[ct.NickName]++
	}
	for _, ct := range open {
		old := oldNick[ct.NickName]
		switch {
		case ct.NickName == "" || len(old) == 0:
			p.counts.Unknown++
		case len(old) > 1 || count[ct.NickName] > 1 || now[old[0].ExternalKey] || taken[old[0].PersonID]:
			p.counts.Ambiguous++
		default:
			p.counts.ByNickName++
			taken[old[0].PersonID] = true
			p.fresh = append(p.fresh, identity(ct, old[0].PersonID))
		}
	}
}

func identity(ct WeChatContact, person PersonID) ChatIdentity {
	return ChatIdentity{Transport: wechatTransport, ExternalKey: ct.UserName, PersonID: person,
		NickName: ct.NickName, RemarkName: ct.RemarkName}
}

// applyRemap writes the plan: stale keys out, new keys in (a key bound concurrently wins), the
// people's bot account set, and one audit row with the counts.
func (s *Store) applyRemap(ctx context.Context, account string, p remapPlan, at time.Time) error {
	db := s.q(ctx)
	if len(p.stale) > 0 {
		if err := db.Where("id IN ?", p.stale).Delete(&ChatIdentity{}).Error; err != nil {
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
		var ids []PersonID
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
	c := p.counts
	return db.Create(&AuditLog{Action: "remap", Entity: "chat_identity", At: at,
		Detail: fmt.Sprintf("wechat/%s kept=%d remark=%d nickname=%d ambiguous=%d unknown=%d removed=%d",
			account, c.Kept, c.ByRemark, c.ByNickName, c.Ambiguous, c.Unknown, c.Removed)}).Error
}
