// Command fakechannels runs the fake WeCom and 服务号 platforms on 127.0.0.1 so `qinqi serve` can be
// tried end to end without any real account. It prints the config to give serve, then reads
// lines from stdin and posts them to serve's callbacks as the platforms would:
//
//	wecom <userid> <text>     a member's message on WeCom
//	mp <openid> <text>        a household's message on the 服务号
//	scan <openid> <bindcode>  a household scanning its contact card's QR code
//
// and prints every message serve sends. It is a development tool, not part of qinqi:
//
//	go run ./internal/cmd/fakechannels -serve 127.0.0.1:8080
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"qinqi/bot/mp/mpfake"
	"qinqi/bot/wecom/wecomfake"
)

func main() {
	serve := flag.String("serve", "127.0.0.1:8080", "http.listen of the qinqi serve under test")
	flag.Parse()
	if err := run(*serve); err != nil {
		fmt.Fprintln(os.Stderr, "fakechannels:", err)
		os.Exit(1)
	}
}

func run(serve string) error {
	wc, err := wecomfake.New(wecomfake.TestApp)
	if err != nil {
		return err
	}
	defer wc.Close()
	mpf, err := mpfake.New(mpfake.TestAccount)
	if err != nil {
		return err
	}
	defer mpf.Close()
	wc.OnSend(func(s wecomfake.Sent) { fmt.Printf("wecom → %s [%s] %s%s\n", s.To, s.Type, s.Text, s.FileName) })
	mpf.OnSend(func(s mpfake.Sent) {
		fmt.Printf("mp → %s [%s] %s%s\n", s.To, s.Kind, s.Text, templateText(s))
	})
	printConfig(wc.URL, mpf.URL, serve)
	return readLines(wc, mpf, "http://"+serve)
}

func templateText(s mpfake.Sent) string {
	if s.Template == "" {
		return ""
	}
	return fmt.Sprintf("template %s %v", s.Template, s.Data)
}

func printConfig(wecomURL, mpURL, serve string) {
	w, m := wecomfake.TestApp, mpfake.TestAccount
	fmt.Printf(`# Add to the config of qinqi serve (these fakes live until this command ends):
http: {listen: %q}
wecom: {corp_id: %q, agent_id: %q, secret: %q, token: %q, aes_key: %q, api_base: %q}
mp: {app_id: %q, secret: %q, token: %q, aes_key: %q, api_base: %q}
# Then type: wecom <userid> <text> | mp <openid> <text> | scan <openid> <bindcode>
`, serve, w.CorpID, w.AgentID, w.Secret, w.Token, w.AESKey, wecomURL, m.AppID, m.Secret, m.Token, m.AESKey, mpURL)
}

func readLines(wc *wecomfake.Server, mpf *mpfake.Server, base string) error {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.SplitN(strings.TrimSpace(sc.Text()), " ", 3)
		if len(f) < 3 {
			fmt.Println("? wecom <userid> <text> | mp <openid> <text> | scan <openid> <bindcode>")
			continue
		}
		var status int
		var err error
		switch f[0] {
		case "wecom":
			status, err = wc.Post(base+"/wecom/callback", wc.Text(f[1], f[2]))
		case "mp":
			status, err = mpf.Post(base+"/mp/callback", mpf.Text(f[1], f[2]))
		case "scan":
			status, err = mpf.Post(base+"/mp/callback", mpf.Scan(f[1], "bind:"+f[2], false))
		default:
			fmt.Println("? first word: wecom, mp or scan")
			continue
		}
		if err != nil {
			fmt.Println("post failed:", err)
			continue
		}
		fmt.Printf("(callback answered %d)\n", status)
	}
	return sc.Err()
}
