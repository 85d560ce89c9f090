package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"rsc.io/qr"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// runBindcode prints a fresh one-time code that links a person's chat account (WeCom, 服务号, WeChat) to
// their record, and with -qr writes the 服务号 QR code that carries it.
func runBindcode(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("bindcode", "<person-code> [-config FILE] [-db FILE] [-ttl 168h] [-qr FILE.png]", io)
	c.register(fs)
	ttl := fs.Duration("ttl", 0, "how long the code stays valid (default: bind.code_ttl, 7 days)")
	qrFile := fs.String("qr", "", "also write the 服务号's QR code carrying the code to this PNG (for the contact card; needs mp.app_id)")
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
	if *qrFile != "" && !cfg.MP.On() {
		return errors.New("-qr needs the 服务号: set mp.app_id, mp.secret, mp.token and mp.aes_key")
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
	if *qrFile != "" {
		if err := writeBindQR(ctx, cfg, bc.Code, bc.ExpiresAt.Sub(clock.Real{}.Now()), *qrFile, io); err != nil {
			return err
		}
	}
	fmt.Fprintf(io.Err, "绑定码给人员 %s，只能用一次。请本人在企业微信应用、服务号或机器人私聊里发送：绑定 %s（加机器人微信好友时也可填在验证信息里）\n写入 (wrote to) %s\n",
		p.Code, bc.Code, dbLabel(cfg))
	return nil
}

// writeBindQR asks the 服务号 for a QR code carrying the bind code and writes it as a PNG: a
// household scanning it follows the 服务号 and is bound in one step. A temporary QR code lives at
// most 30 days, so a longer -ttl still gives a QR code that stops working after 30 days.
func writeBindQR(ctx context.Context, cfg config.Config, code string, life time.Duration, path string, io IO) error {
	kv, err := openKV(ctx, cfg)
	if err != nil {
		return err
	}
	defer kv.Close()
	comp := &components{cfg: cfg, clock: clock.Real{}, log: newLogger(cfg, io.Err)}
	ch, err := newMP(cfg, kv, comp)
	if err != nil {
		return err
	}
	u, err := ch.BindQR(ctx, code, life)
	if err != nil {
		return err
	}
	img, err := qr.Encode(u, qr.M)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	img.Scale = 8
	if err := os.WriteFile(path, img.PNG(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(io.Err, "服务号二维码已写入 %s：帮扶户用微信扫码即关注并完成绑定（二维码最长有效 30 天）。\n", path)
	return nil
}
