package bot

// The few user-facing texts of the transport layer; everything a handler says lives in handlers/replies.go.
const (
	msgBindAsk      = "您好！请先绑定身份：发送“绑定 六位绑定码”，例如：绑定 482913。绑定码请向本单位联络员索取。"
	msgBindAskAgain = "还没有绑定，这条没有记录。请先发送“绑定 六位绑定码”。"
	msgBindBadCode  = "绑定码不对、已用过或已过期，请核对后重发，例如：绑定 482913。需要新码请联系联络员。"
	msgBindTooMany  = "绑定尝试次数过多，请一小时后再试，或联系联络员重新获取绑定码。"
	msgBindInGroup  = "为保护隐私，请私聊我发送绑定码，例如：绑定 482913。"
	msgBindOKFormat = "绑定成功，%s您好！发送“帮助”看看我能为您做什么。"
	msgSpooled      = "已收到您的消息，系统正忙，稍后自动保存并回复您，无需重发。"
	msgApology      = "抱歉，处理这条消息时出了问题，已记录。请稍后再发一次，或发送“帮助”。"
	msgConsoleNoOne = "没有找到人员编号 %s，请核对编号后重发，例如：@C001 我的亲戚。"

	// Why a friend request was not accepted, for a FriendDecliner (the sender is told nothing).
	msgFriendNoCode      = "验证消息里没有六位绑定码，未通过，对方收不到回复。请在验证消息里写上绑定码，例如：绑定 482913"
	msgFriendBadCode     = "验证消息里的绑定码不对、已用过或已过期，未通过，对方收不到回复"
	msgFriendNotAccepted = "通过好友申请时出错，未通过；绑定码仍然有效，请对方重新发好友申请"

	// Refused at the door (bot/inbox_door.go): nothing was recorded.
	msgTooLong         = "这条消息太长了（%d字），没有记录。请分成几条发，每条不超过%d字。"
	msgFileNameTooLong = "这个文件的名字太长，没有收下。请把文件名改短后再发。"
	msgBadLocation     = "没能读出这个位置，没有记录。请在微信里点“＋”→“位置”重新发送。"
	// Quarantined: the database refused the message on every try, or would not store it at all.
	msgQuarantined = "抱歉，这条消息试了几次都没能保存，没有记录，已留给管理员查看。请换个说法或分几条重新发；急事请直接打电话。"
	msgUnstorable  = "抱歉，这条消息没能保存进系统，没有记录，已留给管理员查看。请换个说法或分几条重新发；急事请直接打电话。"
)

// Identity notices (IdentityNotices): a bind or unbind is told to the people it concerns, so a
// takeover is noticed by its victim. Arguments are in the order of the verbs.
const (
	// to the key a new bind replaced: name, time
	msgIdentityReplaced = "此%s已解除与%s的绑定：%s您的身份绑定到了另一个%s。如果不是您本人换的，请马上联系本单位协调员。"
	// to the person's identities elsewhere: name, time, channel
	msgIdentityBoundElsewhere = "提醒：%s，您的身份%s绑定到了一个新的%s账号。是您本人操作的就不用理会；如果不是，请马上联系本单位协调员。"
	// to the key another person's code was used from: channel, old name, time, new name
	msgIdentityTaken = "此%s原来绑定的是%s，%s已改为绑定%s。如果不是您本人操作，请马上联系本单位协调员。"
	// to the loser's identities elsewhere: name, channel, time
	msgIdentityTakenElsewhere = "提醒：%s，您原来绑定的一个%s账号%s改绑给了别人，那个账号不再代表您。如果不是您本人操作，请马上联系本单位协调员。"
	// to an unplaced person's identities elsewhere: name, channel, code, channel
	msgIdentityUnplaced = "提醒：%s，机器人%s账号重新登录后，认不出哪个好友是您（好友备注不是“qq-%s”），为防别人冒用，已解除您在那里的绑定。请在那个%s里发“绑定 六位绑定码”重新绑定，绑定码请向本单位协调员索取。"
	// to a coordinator, one per re-login: channel, account, count, list, an example code
	msgIdentityUnplacedDigest = "【需重新绑定】机器人%s账号“%s”重新登录后，认不出以下%d人是哪位好友（好友备注不是“qq-编号”），为防别人冒用，已解除他们的绑定，他们暂时收不到消息：%s。请当面给他们新的绑定码（发“绑定码 编号”），或在机器人手机上把他们的好友备注改为“qq-编号”（例如 qq-%s）后重新登录。"
)
