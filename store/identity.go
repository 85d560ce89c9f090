package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"qinqi/internal/domain"
)

// Bind code failures; an unknown code is ErrNotFound.
var (
	ErrBindCodeUsed    = errors.New("bind code already used")
	ErrBindCodeExpired = errors.New("bind code expired")
)

// bindCodeTries bounds the search for a code that is not live already; with 10^6 codes and a few
// thousand live ones a collision is rare, so running out means something else is wrong.
const bindCodeTries = 20

// NewBindCode makes a fresh six-digit one-time code for a person, unique among live codes.
// Expired and used codes are deleted first so their numbers can be issued again.
func (s *Store) NewBindCode(ctx context.Context, person domain.PersonID, now time.Time, ttl time.Duration) (BindCode, error) {
	if ttl <= 0 {
		return BindCode{}, fmt.Errorf("store: bind code ttl must be positive, got %s", ttl)
	}
	if _, err := s.PersonByID(ctx, person); err != nil {
		return BindCode{}, err
	}
	now = now.In(s.loc)
	if err := s.q(ctx).Where("expires_at <= ? OR used_at IS NOT NULL", now).Delete(&BindCode{}).Error; err != nil {
		return BindCode{}, fmt.Errorf("store: purge bind codes: %w", err)
	}
	for range bindCodeTries {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return BindCode{}, fmt.Errorf("store: random bind code: %w", err)
		}
		bc := BindCode{Code: fmt.Sprintf("%06d", n.Int64()), PersonID: person, ExpiresAt: now.Add(ttl), CreatedAt: now}
		err = s.q(ctx).Create(&bc).Error
		if err == nil {
			return bc, nil
		}
		if !isDuplicate(err) {
			return BindCode{}, fmt.Errorf("store: save bind code: %w", err)
		}
	}
	return BindCode{}, fmt.Errorf("store: no free bind code after %d tries", bindCodeTries)
}

// CheckBindCode returns the person of a live code without using it (the friend-request path checks
// the code before accepting, so no transaction is held open across a network call). A used or
// expired code returns its person with ErrBindCodeUsed or ErrBindCodeExpired, so the tries on that
// person's codes can be counted; an unknown code is ErrNotFound.
func (s *Store) CheckBindCode(ctx context.Context, code string, now time.Time) (domain.PersonID, error) {
	var bc BindCode
	if err := s.q(ctx).Where("code = ?", code).Take(&bc).Error; err != nil {
		return 0, fmt.Errorf("store: bind code: %w", notFound(err))
	}
	switch {
	case bc.UsedAt != nil:
		return bc.PersonID, ErrBindCodeUsed
	case !bc.ExpiresAt.After(now.In(s.loc)):
		return bc.PersonID, ErrBindCodeExpired
	}
	return bc.PersonID, nil
}

// UseBindCode marks a live code used and returns its person: ErrNotFound for an unknown code,
// ErrBindCodeUsed or ErrBindCodeExpired otherwise. The conditional update makes a code single use
// even when two senders race for it.
func (s *Store) UseBindCode(ctx context.Context, code string, now time.Time) (domain.PersonID, error) {
	var bc BindCode
	if err := s.q(ctx).Where("code = ?", code).Take(&bc).Error; err != nil {
		return 0, fmt.Errorf("store: bind code: %w", notFound(err))
	}
	now = now.In(s.loc)
	switch {
	case bc.UsedAt != nil:
		return 0, ErrBindCodeUsed
	case !bc.ExpiresAt.After(now):
		return 0, ErrBindCodeExpired
	}
	res := s.q(ctx).Model(&BindCode{}).Where("id = ? AND used_at IS NULL", bc.ID).Update("used_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("store: use bind code: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, ErrBindCodeUsed
	}
	return bc.PersonID, nil
}

// wecomTransport is the Transport of the WeCom channel, whose user ids can come from the people sheet.
const wecomTransport = "wecom"

// PersonByChatKey resolves a transport's current sender key to a person, or ErrNotFound. A WeCom
// userid with no identity is looked up in the people's WecomUserID (from the sheet), so staff
// listed with their userid never need a bind code.
func (s *Store) PersonByChatKey(ctx context.Context, transport, account, key string) (domain.PersonID, error) {
	if v := s.view(ctx); v != nil {
		return s.cachedPersonByChatKey(v, ctx, transport, account, key)
	}
	return s.personByChatKey(ctx, transport, account, key)
}

func (s *Store) personByChatKey(ctx context.Context, transport, account, key string) (domain.PersonID, error) {
	var ci ChatIdentity
	err := s.q(ctx).Where("transport = ? AND account = ? AND external_key = ?", transport, account, key).Take(&ci).Error
	if err == nil {
		return ci.PersonID, nil
	}
	if err = notFound(err); !errors.Is(err, ErrNotFound) || transport != wecomTransport || key == "" {
		return 0, fmt.Errorf("store: chat identity: %w", err)
	}
	var ids []domain.PersonID
	if err := s.q(ctx).Model(&Person{}).Where("wecom_user_id = ?", key).Limit(2).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("store: person by wecom userid: %w", err)
	}
	if len(ids) != 1 { // none, or a sheet that gave two people one userid: bind by code instead
		return 0, fmt.Errorf("store: chat identity: %w", ErrNotFound)
	}
	return ids[0], nil
}

// ChatKeyOfPerson is the person's current key on one bot account, or ErrNotFound when they are not
// bound there. On WeCom a person's WecomUserID reaches them before they ever wrote.
func (s *Store) ChatKeyOfPerson(ctx context.Context, transport, account string, person domain.PersonID) (string, error) {
	var ci ChatIdentity
	err := s.q(ctx).Where("transport = ? AND account = ? AND person_id = ?", transport, account, person).
		Order("updated_at DESC, id DESC").Take(&ci).Error
	if err == nil {
		return ci.ExternalKey, nil
	}
	if err = notFound(err); errors.Is(err, ErrNotFound) && transport == wecomTransport {
		if p, perr := s.PersonByID(ctx, person); perr == nil && p.WecomUserID != "" {
			return p.WecomUserID, nil
		}
	}
	return "", fmt.Errorf("store: chat key of person %d: %w", person, err)
}

// BindChatIdentity makes ci.ExternalKey the person's one current key on (transport, account):
// older keys of that person there and any other person's claim on the key are removed, the person's
// Account is set so the outbox knows which bot account reaches them, and the binding and each
// removal are audited. It tells no one; BindAndNotify does.
func (s *Store) BindChatIdentity(ctx context.Context, ci ChatIdentity, now time.Time) error {
	return s.BindAndNotify(ctx, ci, now, nil)
}

// BindAndNotify is BindChatIdentity that also queues, in the same transaction, what notify makes of
// the change: the person hears of the new bind on their other identities (the replaced key among
// them), and a person whose key was taken hears of it on that key and on their others. Binding a
// key to the person who already holds it changes nothing and tells no one.
func (s *Store) BindAndNotify(ctx context.Context, ci ChatIdentity, now time.Time, notify Notifier) error {
	if ci.Transport == "" || ci.ExternalKey == "" || ci.PersonID == 0 {
		return errors.New("store: chat identity needs transport, key and person")
	}
	now = now.In(s.loc)
	return s.Tx(ctx, func(tx *Store) error {
		db := tx.q(ctx)
		var displaced []ChatIdentity
		if err := db.Where("transport = ? AND account = ? AND (person_id = ? OR external_key = ?)",
			ci.Transport, ci.Account, ci.PersonID, ci.ExternalKey).Find(&displaced).Error; err != nil {
			return fmt.Errorf("store: old identities: %w", err)
		}
		before, err := tx.identitiesOf(ctx, ci.PersonID)
		if err != nil {
			return err
		}
		if len(displaced) > 0 {
			ids := make([]int64, len(displaced))
			for i, d := range displaced {
				ids[i] = d.ID
			}
			if err := db.Where("id IN ?", ids).Delete(&ChatIdentity{}).Error; err != nil {
				return fmt.Errorf("store: clear old identity: %w", err)
			}
		}
		ci.ID, ci.CreatedAt, ci.UpdatedAt = 0, now, now
		if err := db.Create(&ci).Error; err != nil {
			return fmt.Errorf("store: save identity: %w", err)
		}
		if err := db.Model(&Person{}).Where("id = ?", ci.PersonID).
			Updates(map[string]any{"account": ci.Account, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: set person account: %w", err)
		}
		if err := tx.Audit(ctx, AuditEntry{Actor: ci.PersonID, Action: ActBind, Entity: "chat_identity", EntityID: ci.ID,
			Detail: ci.Transport + "/" + ci.Account, At: now}); err != nil {
			return err
		}
		return tx.afterBind(ctx, ci, before, displaced, now, notify)
	})
}

// afterBind audits each identity the bind removed and queues the notices.
func (s *Store) afterBind(ctx context.Context, ci ChatIdentity, before, displaced []ChatIdentity, now time.Time, notify Notifier) error {
	var replaced ChatIdentity
	for _, d := range displaced {
		if d.PersonID == ci.PersonID && d.ExternalKey == ci.ExternalKey {
			return nil // the same binding again
		}
	}
	p, err := s.PersonByID(ctx, ci.PersonID)
	if err != nil {
		return err
	}
	for _, d := range displaced {
		reason := "replaced by a new bind of the same person"
		if d.PersonID != ci.PersonID {
			reason = fmt.Sprintf("key bound to person %d", ci.PersonID)
		}
		if err := s.Audit(ctx, AuditEntry{Actor: d.PersonID, Action: ActUnbind, Entity: "chat_identity", EntityID: d.ID,
			Detail: d.Transport + "/" + d.Account + ": " + reason, At: now}); err != nil {
			return err
		}
		if d.PersonID == ci.PersonID {
			replaced = d
			continue
		}
		if err := s.tellTaken(ctx, d, p, now, notify); err != nil {
			return err
		}
	}
	others := withoutIDs(before, replaced.ID)
	return s.tell(ctx, notify, IdentityChange{Kind: ChangeBound, Ref: fmt.Sprintf("identity:bound:%d", ci.ID),
		Person: p, New: ci, Old: replaced, Others: others, At: now})
}

// tellTaken tells the person whose key old was that it now belongs to by.
func (s *Store) tellTaken(ctx context.Context, old ChatIdentity, by Person, now time.Time, notify Notifier) error {
	if notify == nil {
		return nil
	}
	loser, err := s.PersonByID(ctx, old.PersonID)
	if err != nil {
		return err
	}
	others, err := s.identitiesOf(ctx, old.PersonID)
	if err != nil {
		return err
	}
	return s.tell(ctx, notify, IdentityChange{Kind: ChangeTaken, Ref: fmt.Sprintf("identity:taken:%d", old.ID),
		Person: loser, Old: old, By: by, Others: others, At: now})
}

// BindWithCode uses a code and binds the sender in one transaction, queuing notify's notices as
// BindAndNotify does. accept runs inside the transaction after the code checks out (the
// friend-request path accepts the request there), so a failed accept leaves the code unused for
// another try.
func (s *Store) BindWithCode(ctx context.Context, code string, ci ChatIdentity, now time.Time, accept func() error, notify Notifier) (domain.PersonID, error) {
	var person domain.PersonID
	err := s.Tx(ctx, func(tx *Store) error {
		p, err := tx.UseBindCode(ctx, code, now)
		if err != nil {
			return err
		}
		if accept != nil {
			if err := accept(); err != nil {
				return fmt.Errorf("store: accept before bind: %w", err)
			}
		}
		ci.PersonID = p
		if err := tx.BindAndNotify(ctx, ci, now, notify); err != nil {
			return err
		}
		person = p
		return nil
	})
	return person, err
}

// CountChatIdentities counts bound keys on one bot account (shown by status).
func (s *Store) CountChatIdentities(ctx context.Context, transport, account string) (int64, error) {
	var n int64
	err := s.q(ctx).Model(&ChatIdentity{}).Where("transport = ? AND account = ?", transport, account).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: count identities: %w", err)
	}
	return n, nil
}
