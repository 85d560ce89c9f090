package bot

// The few user-facing texts of the transport layer; everything a handler says lives in handlers/replies.go.
const (
	msgBindAsk      = "您好！请先绑定身份：发送“绑定 六位绑定码”，例如：绑定 482913。绑定码请向本单位联络员索取。"
	msgBindBadCode  = "绑定码不对或已过期，请核对后重发，例如：绑定 482913。需要新码请联系联络员。"
	msgBindUsed     = "这个绑定码已经用过了，请向联络员索取新码后再发“绑定 新码”。"
	msgBindTooMany  = "绑定尝试次数过多，请一小时后再试，或联系联络员重新获取绑定码。"
	msgBindInGroup  = "为保护隐私，请私聊我发送绑定码，例如：绑定 482913。"
	msgBindOKFormat = "绑定成功，%s您好！发送“帮助”看看我能为您做什么。"
	msgSpooled      = "已收到您的消息，系统正忙，稍后自动保存并回复您，无需重发。"
	msgApology      = "抱歉，处理这条消息时出了问题，已记录。请稍后再发一次，或发送“帮助”。"
	msgConsoleNoOne = "没有找到人员编号 %s，请核对编号后重发，例如：@C001 我的亲戚。"
)
