package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/store"
)

// runBindcode prints a fresh one-time code that links a person's WeChat to their record.
func runBindcode(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("bindcode", "<person-code> [-config FILE] [-db FILE] [-ttl 168h]", io)
	c.register(fs)
	ttl := fs.Duration("ttl", 0, "how long the code stays valid (default: bind.code_ttl, 7 days)")
	if err := parse(fs, args); err != nil {
		return err
	}
	code := fs.Arg(0)
	if err := parse(fs, fs.Args()[min(1, fs.NArg()):]); err != nil { // flags after the person code
		return err
	}
	if code == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if *ttl == 0 {
		*ttl = cfg.Bind.CodeTTL
	}
	if *ttl < time.Minute {
		return fmt.Errorf("-ttl %s is too short; use at least 1m", *ttl)
	}
	s, err := openStore(ctx, cfg, newLogger(cfg, io.Err))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil {
		return err
	}
	p, err := s.PersonByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no person with code %q; check the code in the import sheet", code)
	}
	if err != nil {
		return err
	}
	bc, err := s.NewBindCode(ctx, p.ID, clock.Real{}.Now(), *ttl)
	if err != nil {
		return err
	}
	expires := bc.ExpiresAt.In(clock.Shanghai).Format("2006-01-02 15:04")
	fmt.Fprintf(io.Out, "%s\t有效至 %s\n", bc.Code, expires) // the code first, so scripts can cut it
	fmt.Fprintf(io.Err, "绑定码给人员 %s，只能用一次。请本人加机器人为好友时在验证信息里填写这个码，或私聊机器人发送：绑定 %s\n写入 (wrote to) %s\n",
		p.Code, bc.Code, dbLabel(cfg))
	return nil
}
