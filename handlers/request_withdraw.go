package handlers

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A household can take back what it just sent, or send a complaint to its cadre after all: a
// 70-year-old who pressed 3 for "家里的猪病了" has a complaint with the unit that should have been a
// request for the cadre. It names the matter by number ("3号不用办了", "撤回 3") or means the last one
// it sent: the newest not yet done within config.CheckIn.AttachWindow, the same "just sent" a photo
// is added to. Nothing changes before it answers one question, whose digits mean what they meant
// in the question that filed the matter: 1 the cadre, 2 nothing, 3 the unit. A complaint may go to
// the cadre instead (1); a request may not become a complaint, since the cadre has already read it
// and "干部看不到" would no longer be true. Once someone has accepted it, the household is told to
// speak to whoever handles it. Whoever was told of the matter hears that it was withdrawn or moved.

// withdraw is a household's 撤回 / 撤销 … as a command; words that are no take-back ("撤销低保的事
// 我想问问") are the household's sentence.
func (r *Router) withdraw(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	tb, ok := ParseTakeBack(c.Text)
	if !ok {
		if out, handled, err := r.householdFreeText(ctx, c); handled || err != nil {
			return out, err
		}
		return nil, refuse(replyUnknown(r.roleOf(c), r.now()))
	}
	return r.takeBack(ctx, c, tb)
}

// takeBack finds the matter meant and asks what should become of it.
func (r *Router) takeBack(ctx context.Context, c *Caller, tb TakeBack) ([]bot.Reply, error) {
	if c.Person.HouseholdID == nil {
		return nil, refuse(replyNoHHOfMine)
	}
	all, err := r.store.RequestsOfHousehold(ctx, *c.Person.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("requests of household: %w", err)
	}
	q, found := r.takeBackPick(all, tb.ID)
	switch {
	case !found && tb.ID != 0:
		return nil, refuse(replyTakeBackNoSuch(tb.ID))
	case !found:
		return nil, refuse(replyTakeBackNothing(r.cfg.CheckIn.AttachWindow))
	case !canTakeBack(q):
		return r.tooLateToTakeBack(ctx, q)
	}
	who, err := r.takeBackHolder(ctx, q)
	if err != nil {
		return nil, err
	}
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgTakeBack, Refs: []int64{int64(q.ID)}, Text: string(q.Kind)}) {
		return nil, refuse(replyTakeBackNoState)
	}
	return say(replyTakeBackAsk(q, who)), nil
}

// takeBackPick is the household's matter numbered id, else its newest one not yet done and made
// within the attach window.
func (r *Router) takeBackPick(all []store.Request, id int64) (store.Request, bool) {
	if id != 0 {
		i := slices.IndexFunc(all, func(q store.Request) bool { return int64(q.ID) == id })
		if i < 0 {
			return store.Request{}, false
		}
		return all[i], true
	}
	now := r.now()
	for i := len(all) - 1; i >= 0; i-- {
		if q := all[i]; q.Status.Open() && now.Sub(q.CreatedAt) <= r.cfg.CheckIn.AttachWindow {
			return q, true
		}
	}
	return store.Request{}, false
}

// canTakeBack: nobody has accepted the matter yet (a request a cadre passed on to the unit has not
// been accepted there either).
func canTakeBack(q store.Request) bool {
	return q.Status == domain.StatusNew || q.Status == domain.StatusTransferred
}

// tooLateToTakeBack says where a matter stands that can no longer be taken back here, and whom to
// tell: the cadre by name for a request, the unit for a complaint.
func (r *Router) tooLateToTakeBack(ctx context.Context, q store.Request) ([]bot.Reply, error) {
	who, err := r.handlerName(ctx, q, map[domain.PersonID]string{})
	if err != nil {
		return nil, err
	}
	return say(replyTakeBackTooLate(q, who)), nil
}

// takeBackHolder is whom the household's question names as holding a matter: the cadre for a
// request in their hands, "" for a complaint or a request passed on to the unit.
func (r *Router) takeBackHolder(ctx context.Context, q store.Request) (string, error) {
	if q.Status == domain.StatusTransferred {
		return "", nil
	}
	return r.handlerName(ctx, q, map[domain.PersonID]string{})
}

// answerTakeBack acts on the household's digit: 1 the cadre (a complaint goes to them; a request
// stays), 2 withdraw, 3 the unit (a complaint stays). The matter is read again: accepted meanwhile,
// it is told so instead.
func (r *Router) answerTakeBack(ctx context.Context, c *Caller, d dialog, n int) ([]bot.Reply, error) {
	complaint := domain.RequestKind(d.Text) == domain.ReqComplaint
	if len(d.Refs) != 1 || n < 1 || n > 3 || n == 3 && !complaint {
		return nil, refuse(replyPickRange(map[bool]int{true: 3, false: 2}[complaint]))
	}
	q, err := r.store.RequestByID(ctx, domain.RequestID(d.Refs[0]))
	if err != nil {
		return nil, fmt.Errorf("request taken back: %w", err)
	}
	var out []bot.Reply
	switch {
	case q.Kind != domain.RequestKind(d.Text) || !canTakeBack(q):
		out, err = r.tooLateToTakeBack(ctx, q)
	case n == 2:
		out, err = r.withdrawMatter(ctx, c, q)
	case n == 1 && complaint:
		out, err = r.rerouteComplaint(ctx, c, q)
	default:
		out, err = r.keepMatter(ctx, q)
	}
	if !failed(err) {
		r.dropDialog(ctx, c.ID())
	}
	return out, err
}

// keepMatter leaves the matter where it was.
func (r *Router) keepMatter(ctx context.Context, q store.Request) ([]bot.Reply, error) {
	who, err := r.takeBackHolder(ctx, q)
	if err != nil {
		return nil, err
	}
	return say(replyTakeBackKept(q, who)), nil
}

// withdrawMatter withdraws the matter and tells whoever was told of it.
func (r *Router) withdrawMatter(ctx context.Context, c *Caller, q store.Request) ([]bot.Reply, error) {
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	to, err := r.toldOf(ctx, q, pairs)
	if err != nil {
		return nil, err
	}
	who, err := r.takeBackHolder(ctx, q)
	if err != nil {
		return nil, err
	}
	saved, err := r.store.ChangeRequest(ctx, q.ID, c.ID(), store.ActWithdraw, r.now(), func(x *store.Request) error {
		if x.Kind != q.Kind || !canTakeBack(*x) {
			return store.ErrWrongState
		}
		x.Status = domain.StatusWithdrawn
		return nil
	}, func(x store.Request) []store.OutboxMessage {
		out := make([]store.OutboxMessage, 0, len(to))
		for _, p := range to {
			out = append(out, r.note(c.In, x.ID, "withdrawn", p, noteWithdrawn(x, hh.HeadName)))
		}
		return out
	})
	if errors.Is(err, store.ErrWrongState) {
		return r.tooLateToTakeBack(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("withdraw request: %w", err)
	}
	return say(replyWithdrawn(saved, who, len(to) > 0)), nil
}

// toldOf are those who were sent the matter: a complaint's unit coordinators (never the cadre); a
// request's cadre, its holder when passed on, and the coordinators who were sent its copy.
func (r *Router) toldOf(ctx context.Context, q store.Request, pairs []store.Pairing) ([]domain.PersonID, error) {
	if q.Kind == domain.ReqComplaint {
		return r.matterRecipients(ctx, q, pairs)
	}
	var out []domain.PersonID
	add := func(id domain.PersonID) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, p := range pairs {
		if q.PairingID != nil && p.ID == *q.PairingID {
			add(p.CadreID)
		}
	}
	if q.AssigneeID != nil {
		add(*q.AssigneeID)
	}
	if q.UnitID != nil {
		coords, err := r.store.CoordinatorsOfUnit(ctx, *q.UnitID)
		if err != nil {
			return nil, fmt.Errorf("coordinators of request %d: %w", q.ID, err)
		}
		for _, id := range personIDs(coords) {
			add(id)
		}
	}
	return out, nil
}

func personIDs(ps []store.Person) []domain.PersonID {
	out := make([]domain.PersonID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// rerouteComplaint makes a complaint nobody has accepted a request for the household's cadre, with
// a request's deadlines from now: the cadre gets it as a new request (with its photo or recording),
// the coordinators who had the complaint, and those who get a request's copy, are told it moved.
func (r *Router) rerouteComplaint(ctx context.Context, c *Caller, q store.Request) ([]bot.Reply, error) {
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	cadre, coords, err := r.requestRouting(ctx, pairs)
	if err != nil {
		return nil, fmt.Errorf("route request: %w", err)
	}
	if cadre.ID == 0 {
		return nil, refuse(replyRerouteNoCadre)
	}
	told, err := r.toldOf(ctx, q, pairs)
	if err != nil {
		return nil, err
	}
	for _, id := range personIDs(coords) {
		if id != cadre.ID && !slices.Contains(told, id) {
			told = append(told, id)
		}
	}
	media := storedMedia(q.MediaRef)
	now := r.now()
	saved, err := r.store.ChangeRequest(ctx, q.ID, c.ID(), store.ActReroute, now, func(x *store.Request) error {
		if x.Kind != domain.ReqComplaint || !canTakeBack(*x) {
			return store.ErrWrongState
		}
		x.Kind, x.Category, x.Status = domain.ReqRequest, CategoryIn(x.Text), domain.StatusNew
		x.PairingID, x.AssigneeID, x.UnitID = &pairs[0].ID, &cadre.ID, cadre.UnitID
		x.AckDueAt, x.DueAt = now.Add(r.cfg.Requests.AckWithin), now.Add(r.cfg.Requests.ResolveWithin)
		return nil
	}, func(x store.Request) []store.OutboxMessage {
		out := []store.OutboxMessage{r.note(c.In, x.ID, "new", cadre.ID, noteNewRequest(x, hh.HeadName, x.AckDueAt, attachHint(media)))}
		out = append(out, r.mediaNotes(c, x, hh.HeadName, cadre.ID, media)...)
		for _, id := range told {
			if id != cadre.ID {
				out = append(out, r.note(c.In, x.ID, "rerouted", id, noteRerouted(x, hh.HeadName, cadre.Name)))
			}
		}
		return out
	})
	if errors.Is(err, store.ErrWrongState) {
		return r.tooLateToTakeBack(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("reroute complaint: %w", err)
	}
	return say(replyRerouted(saved, cadre.Name, r.cfg.Requests.AckWithin)), nil
}

// storedMedia is the photo or recording a matter keeps (its first), to forward when it moves.
func storedMedia(ref string) []heldMedia {
	if ref == "" {
		return nil
	}
	kind := bot.KindVoice
	if ext := strings.ToLower(filepath.Ext(ref)); ext == ".jpg" || ext == ".jpeg" || ext == ".png" {
		kind = bot.KindImage
	}
	return []heldMedia{{Kind: string(kind), Ref: ref}}
}
