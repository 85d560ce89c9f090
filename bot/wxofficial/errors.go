package wxofficial

import (
	"errors"
	"fmt"
)

// APIError is a non-zero errcode from a platform API.
type APIError struct {
	API  string // the path called, e.g. "message/send"
	Code int
	Msg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// Codes qinqi acts on. Both platforms share the numbering for the ones they have in common.
const (
	CodeBusy           = -1    // system busy: try again
	CodeBadSecret      = 40001 // WeCom: wrong secret; 服务号: token invalid or secret wrong
	CodeBadAppID       = 40013 // wrong corp id / app id
	CodeBadToken       = 40014 // access token invalid
	CodeBadAppSecret   = 40125 // 服务号: wrong app secret
	CodeIPNotAllowed   = 40164 // 服务号: server IP not on the API IP whitelist
	CodeTokenExpired   = 42001 // access token expired
	CodeNotSubscribed  = 43004 // 服务号: the user unfollowed
	CodeOutOfWindow    = 45015 // 服务号: customer-service message outside 48 h
	CodeFrequency      = 45009 // API frequency limit reached
	CodeTemplateBad    = 40037 // 服务号: template id invalid
	CodeUntrustedIP    = 60020 // WeCom: server IP not among the app's trusted IPs (企业可信IP)
	CodeInvisibleUser  = 81013 // WeCom: user outside the app's visible range
	CodeUserNotFound   = 60111 // WeCom: userid not found
	CodeBadOpenID      = 40003 // 服务号: openid not of this account
	CodeMediaTooLarge  = 40006 // bad file size
	CodeMediaBadFormat = 40005 // bad file type
)

// Code returns the errcode inside err, or 0.
func Code(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// tokenInvalid reports whether a call failed because its token is no longer good: refresh and
// retry once. 40001 counts for API calls (the 服务号 reports a token replaced elsewhere that way);
// from the token endpoint itself it means the secret is wrong.
func tokenInvalid(code int) bool {
	return code == CodeBadToken || code == CodeTokenExpired || code == CodeBadSecret
}

// AdminFix is the one-line fix an administrator needs for an error only they can solve, or "".
func AdminFix(code int) string {
	switch code {
	case CodeBadSecret, CodeBadAppSecret:
		return "the secret is wrong: copy the app's Secret again from the admin console into the config and restart"
	case CodeBadAppID:
		return "the corp id / app id is wrong: check it in the admin console (我的企业 → 企业ID, or the 服务号's 开发 → 基本配置)"
	case CodeUntrustedIP:
		return "this server's public IP is not a trusted IP of the app: add it under 应用管理 → the app → 企业可信IP"
	case CodeIPNotAllowed:
		return "this server's public IP is not whitelisted: add it under 设置与开发 → 基本配置 → IP白名单"
	case CodeInvisibleUser:
		return "a recipient is outside the app's visible range: add them (or their department) under 应用管理 → the app → 可见范围"
	case CodeTemplateBad:
		return "a template id is wrong: copy it again from 广告与服务 → 模板消息 into mp.templates"
	case CodeFrequency:
		return "the API frequency limit was hit: sending resumes by itself; lower the channel's limits if it recurs"
	}
	return ""
}
