package wechat

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/eatmoreapple/openwechat"

	"qinqi/bot"
)

// send delivers out through the current login, holding the library lock. It calls the library's
// Caller directly with the captured session data instead of looking contacts up in its caches,
// which the sync goroutine rewrites.
func (s *session) send(ctx context.Context, out bot.Outgoing, file *os.File) error {
	g := s.current()
	if g == nil {
		return ErrOffline
	}
	if out.File == nil && out.Text == "" {
		return fmt.Errorf("%w: empty message", ErrRejected)
	}
	if err := g.acquire(ctx); err != nil {
		return err
	}
	defer g.unlock()
	c := g.bot.Caller
	if out.Text != "" {
		err := safeCall(func() error {
			msg := openwechat.NewTextSendMessage(out.Text, g.self, out.To)
			_, err := c.WebWxSendMsg(ctx, &openwechat.CallerWebWxSendMsgOptions{LoginInfo: g.info, BaseRequest: g.req, Message: msg})
			return err
		})
		if err != nil {
			return classify("send text", err)
		}
	}
	if file == nil {
		return nil
	}
	err := safeCall(func() error {
		var err error
		if out.Image {
			_, err = c.WebWxSendImageMsg(ctx, file, &openwechat.CallerWebWxSendImageMsgOptions{
				FromUserName: g.self, ToUserName: out.To, BaseRequest: g.req, LoginInfo: g.info})
		} else {
			_, err = c.WebWxSendFile(ctx, file, &openwechat.CallerWebWxSendFileOptions{
				FromUserName: g.self, ToUserName: out.To, BaseRequest: g.req, LoginInfo: g.info})
		}
		return err
	})
	return classify("send file", err)
}

// acceptFriend sends webwxverifyuser for a request received in the current login. It does not
// fetch the new friend's details as msg.Agree does: that lookup often fails for brand-new friends
// although the acceptance went through, and a retry would then send a second acceptance.
func (s *session) acceptFriend(ctx context.Context, m bot.Message) error {
	g := s.current()
	if g == nil {
		return ErrOffline
	}
	ri, ok := g.friendRequestInfo(m.ID)
	if !ok {
		return fmt.Errorf("%w: friend request %s is not from the current login", ErrRejected, m.ID)
	}
	if err := g.acquire(ctx); err != nil {
		return err
	}
	defer g.unlock()
	err := safeCall(func() error {
		return g.bot.Caller.WebWxVerifyUser(ctx, &openwechat.CallerWebWxVerifyUserOptions{
			RecommendInfo: ri, BaseRequest: g.req, LoginInfo: g.info})
	})
	return classify("accept friend", err)
}

// classify maps library errors: logouts and network trouble are worth retrying after the next
// login, other WeChat return codes (1204 sending to oneself, -1 sys error …) are final.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var ret openwechat.Ret
	switch {
	case errors.As(err, &ret) && (ret == 1100 || ret == 1101 || ret == 1102):
		return fmt.Errorf("wechat %s: %w (%s)", op, ErrOffline, ret)
	case errors.As(err, &ret) && ret == 1205:
		return fmt.Errorf("wechat %s: too often: %s", op, ret)
	case errors.As(err, &ret):
		return fmt.Errorf("wechat %s: %w: %s (%d)", op, ErrRejected, ret, int(ret))
	default:
		return fmt.Errorf("wechat %s: %w", op, scrubbedErr{err})
	}
}
