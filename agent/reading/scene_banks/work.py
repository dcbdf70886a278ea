"""Work documents (email threads, minutes, HR and expense policy, adverts, rotas, tickets, quotes), as offices write."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("re_team_offsite.eml",
        "Subject: Re: Re: Team offsite\nFrom: {host}\nTo: Ops team\n\nSorry all, wrong date in my last email - it's "
        "{new_date}, not {old_date}. Everything else stands.\n\n{host.first}\n\n> From: {host}\n> Hi team, the offsite "
        "is on {old_date} at Larkfield House in {venue}.\n> The coach leaves from the back car park at {coach} sharp, "
        "and there's {lunch} a head for lunch.\n> Let me know about dietary stuff by Friday pls.",
        {"host": "person", "new_date": "date", "old_date": "date", "venue": "town", "coach": "time", "lunch": "money"},
        (("new_date", "When is the team offsite?", "what day is the away day now?"),
         ("venue", "Which town is the offsite in?", "Where are we going for the away day?"),
         ("coach", "What time does the coach go?", "When do I need to be at the car park for the offsite?"),
         ("lunch", "How much can we spend on lunch per person?", "what's the lunch budget each?"),
         ("host", "Who's organising the offsite?", "Who sent round the date change?")),
        ("When does the coach get back?", "Is there a vegetarian option at lunch?")),
    Scene("re_desk_moves.eml",
        "Subject: Re: desk moves next week\n\nhi all - quick one, movers come {move_day} so pls have your drawers "
        "emptied by {pack_time} that day. Crates are by the lifts on floor {floor}. {tech.first} (IT) is doing "
        "monitors first thing Monday, if yours is dead after that ring them on ext {ext}.\nthx\n{sender.first}\n\n> On "
        "{sent_date}, {asker} wrote:\n> Do we need to label our chairs? And where are the crates?",
        {"move_day": "weekday", "pack_time": "time", "floor": "small_number", "tech": "person", "ext": "code",
         "sender": "person", "sent_date": "day_month", "asker": "person"},
        (("pack_time", "By what time do I need my drawers cleared?", "when should my stuff be packed up by?"),
         ("floor", "Which floor do I pick up a moving crate from?", "where are the crates - what floor?"),
         ("tech.first", "Who's sorting out the monitors after the move?", "Who in IT is reconnecting screens?"),
         ("ext", "What extension do I call if my monitor doesn't work?", "what's IT's number for dead screens?"),
         ("move_day", "What day are the movers coming?", "when's the actual move happening?"),
         ("asker", "Who asked about the crates?", "Who was the original question from?")),
        ("Do we need to label our chairs?", "Which floor are we moving to?")),
    Scene("product_sync_notes.md",
        "# Product sync - {meet_date}\n\nPresent: {chair} (chair), {pm} (product), {eng} (engineering), {sales} "
        "(sales)\nApologies: {absent.first}\n\n## Notes\n- {product} launch has slipped by {slip}; {eng.first} says "
        "the payments bit is the blocker.\n- Pricing stays at {price} a seat for now.\n\n## Actions\n| Who | What | By "
        "|\n|---|---|---|\n| {pm.first} | Update roadmap slide | {due1} |\n| {eng.first} | Fix payment tests | {due2} "
        "|\n| {sales.first} | Tell the pilot customers | {due3} |",
        {"meet_date": "date", "chair": "person", "pm": "person", "eng": "person", "sales": "person", "absent": "person",
         "product": "word", "slip": "weeks", "price": "money", "due1": "day_month", "due2": "day_month",
         "due3": "day_month"},
        (("chair", "Who ran the product sync?", "who was chairing?"),
         ("slip", "How late is the {product} launch going to be?", "How far has the launch been pushed back?"),
         ("price", "How much is {product} per seat?", "what are we charging per user?"),
         ("due2", "When are the payment tests meant to be fixed by?", "what's the deadline for {eng.first}'s action?"),
         ("sales.first", "Who's letting the pilot customers know?", "who's telling the pilot people?"),
         ("absent.first", "Who couldn't make the meeting?", "who sent apologies?")),
        ("When is the next product sync?", "What's going on the new roadmap slide?")),
    Scene("kickoff_minutes.txt",
        "KICKOFF - {project} refurb\nDate: {meet_date}, {room}\n\nAttendees:\n- {lead} (Project Lead)\n- {qs} "
        "(Quantity Surveyor)\n- {hs} (Health & Safety)\n- {client} (Client)\n\n1. Budget agreed at {budget}. "
        "{qs.first} to hold back {contingency} as contingency.\n2. Site opens {start}. Hard hats and boots from day "
        "one, no exceptions.\n3. Progress meetings every {weekday}, same room.\n\nACTION {hs.first}: induction pack "
        "out before start.\nACTION {lead.first}: confirm skip hire.",
        {"project": "word", "meet_date": "date", "room": "room", "lead": "person", "qs": "person", "hs": "person",
         "client": "person", "budget": ("£48,000", "£125,000", "£310,000"),
         "contingency": ("£5,000", "£12,500", "£20,000"), "start": "day_month", "weekday": "weekday"},
        (("qs", "Who's the QS on the {project} job?", "Who is looking after costs on the refurb?"),
         ("budget", "What's the total budget for the {project} refurb?", "how much have we got to spend overall?"),
         ("contingency", "How much is being kept aside in case things go wrong?", "what's the contingency?"),
         ("start", "When does work on site begin?", "when can the builders get in?"),
         ("weekday", "What day are the weekly progress meetings?", "which day do we catch up on progress?"),
         ("hs.first", "Who's sending out the induction pack?", "who owes us the induction pack?")),
        ("Who is supplying the skip?", "When is the refurb due to finish?")),
    Scene("annual_leave_policy.md",
        "# Annual Leave Policy\n\n**1. Entitlement.** Full-time employees receive {entitlement} of paid annual leave "
        "per holiday year, plus public holidays.\n\n**2. Requests.** Request leave via {system} at least {notice} "
        "before it starts; your line manager approves it.\n\n**3. Carry over.** Up to {carry} unused days may be "
        "carried into the following year; these must be taken by the end of {carry_month}.\n\n**4. Long service.** "
        "Employees with {service} years' continuous service receive one additional day.\n\nQueries: {hr}, People Team.",
        {"entitlement": ("25 days", "27 days", "28 days", "22 days"), "system": "word", "notice": "weeks",
         "carry": "number_word", "carry_month": "month", "service": ("five", "seven", "ten"), "hr": "person"},
        (("entitlement", "How much holiday do I get a year?", "how many days off do full-timers get?"),
         ("notice", "How far ahead do I have to book leave?", "how much warning do I give for a holiday?"),
         ("system", "Where do I put in a holiday request?", "What do we use to book time off?"),
         ("carry", "How many days can I roll over into next year?", "how much unused leave can I keep?"),
         ("carry_month", "When do carried-over days have to be used by?", "when do rolled-over days run out?"),
         ("service", "How long do I have to work here to get an extra day?", "when do I earn a long service day?")),
        ("Can I buy extra holiday?", "Do part-time staff get leave pro rata?", "Can I take leave during probation?")),
    Scene("sickness_notice.txt",
        "SICKNESS - how it works here (pinned by {manager.first})\n\n* Ring the duty phone {phone} before {call_by} on "
        "the day. Texts don't count!!\n* Speak to a person, not voicemail. If nobody picks up try {backup.first} on "
        "the office line.\n* Off up to {self_cert} days in a row = fill in a self-cert form when you're back.\n* Any "
        "longer and you need a fit note from your GP.\n* Company sick pay starts from the {pay_day} day off.\n* Return "
        "to work chat with your team leader on your first shift back.",
        {"manager": "person", "phone": "phone", "call_by": "time", "backup": "person", "self_cert": "number_word",
         "pay_day": "ordinal"},
        (("phone", "What number do I call if I'm ill?", "I'm sick - what's the duty phone number?"),
         ("call_by", "What time do I need to ring in sick by?", "how early do I have to say I'm not coming in?"),
         ("backup.first", "Who do I try if nobody answers the duty phone?", "no answer on the sick line, who next?"),
         ("self_cert", "How many days can I be off before I need a doctor's note?", "how long can I self-certify for?"),
         ("pay_day", "From which day off does company sick pay start?", "when does sick pay kick in?")),
        ("Where is the self-cert form kept?", "How much is company sick pay?")),
    Scene("family_leave_faq.md",
        "## Family leave - FAQs\n\n**Q: How much paid paternity leave is there?**\nA: {pat} at full pay, to be taken "
        "within {window} of the birth.\n\n**Q: And maternity or adoption?**\nA: {mat} at full pay, then statutory pay. "
        "Please tell {hr.first} in HR as early as you can.\n\n**Q: Can I take time off for a family emergency?**\nA: "
        "Yes - up to {emergency} paid days a year. Just let your manager know.\n\n**Q: Who approves it?**\nA: Your "
        "line manager, or {hr} if they're away.",
        {"pat": "weeks", "window": "days", "mat": "weeks", "hr": "person", "emergency": "number_word"},
        (("pat", "My partner's due soon, how long can I take off on full pay?", "paternity leave length?"),
         ("window", "How soon after the birth must paternity leave be used?", "how long have I got to take it?"),
         ("mat", "How long is maternity leave on full pay?", "what's full-pay adoption leave?"),
         ("emergency", "How many paid days off for family emergencies a year?", "how much emergency leave is there?"),
         ("hr", "Who signs off family leave if my manager's off?", "Who approves it when my line manager is away?")),
        ("Is shared parental leave available?", "Do I keep my company car on maternity leave?")),
    Scene("expenses_short_version.md",
        "# Travel & Expenses - the short version\n\n| Item | Limit | Notes |\n|---|---|---|\n| Mileage (own car) | "
        "{mileage} per mile | log start and end postcodes |\n| Hotel, {city} | {hotel_city} per night | incl. "
        "breakfast |\n| Hotel, elsewhere | {hotel_other} per night | |\n| Evening meal | {meal} | no alcohol |\n\n"
        "Claims go through {tool} within {claim_days} of spending, with receipts. Anything over the limits needs "
        "sign-off from {fd} (Finance Director) before you book. Rail: standard class unless it's over {rail_hours}.",
        {"mileage": ("45p", "40p", "52p", "38p"), "city": "town", "hotel_city": "money", "hotel_other": "money",
         "meal": "money", "tool": "word", "claim_days": "days", "fd": "person", "rail_hours": ("3 hours", "4 hours")},
        (("mileage", "What's the mileage rate if I drive my own car?", "how much do I get per mile?"),
         ("hotel_city", "What's the max for a hotel night in {city}?", "how much can a {city} hotel cost?"),
         ("hotel_other", "How much can I spend on a hotel outside {city}?", "hotel limit anywhere but {city}?"),
         ("meal", "What's the allowance for dinner?", "how much can I spend on an evening meal?"),
         ("tool", "Where do I put my expenses in?", "What app do claims go through?"),
         ("rail_hours", "How long does a train trip have to be to go first class?", "when can I skip standard class?")),
        ("Can I claim for a taxi to the airport?", "Is there a lunch allowance?")),
    Scene("re_expense_claim.eml",
        "Subject: Re: Expense claim #{claim_ref} - queried\n\nHi {claimant.first},\n\nSorry - I typed the wrong figure "
        "below. The amount we're reimbursing is {new_amount}, not {old_amount}. The taxi receipt was missing so that's "
        "been taken off. It'll go through with the {pay_month} payroll.\n\nThanks,\n{finance.first}\nFinance\n\n> Hi "
        "{claimant.first}, we've approved {old_amount} on claim #{claim_ref}.\n>\n>> Hi, I put in #{claim_ref} for the "
        "{town} trip - says queried?\n>> {claimant}",
        {"claimant": "person", "claim_ref": "code", "new_amount": "money", "old_amount": "money", "pay_month": "month",
         "finance": "person", "town": "town"},
        (("new_amount", "How much is {claimant.first} getting back?", "what's the final amount on the claim?"),
         ("claim_ref", "What's the claim number?", "which claim is this about?"),
         ("pay_month", "When will the money come through?", "which month's pay will the expenses be in?"),
         ("town", "Where was the trip the claim was for?", "where had {claimant.first} been?"),
         ("finance.first", "Who in finance sent the reply?", "who corrected the amount?")),
        ("How much was the taxi fare?", "When did {claimant.first} travel?")),
    Scene("job_advert.md",
        "# {title} - {team} team\n**Location:** {town} (hybrid, {office_days} days a week in the office)\n**Salary:** "
        "{salary} per year\n**Hours:** 37.5 a week, Monday to Friday\n\nWe're looking for a new {title} to join our "
        "friendly {team} team of {team_size}. You'll report to {manager}, who has led the team since {since}.\n\n"
        "You'll need to be organised, good with spreadsheets and happy to pick up the phone.\n\nTo apply, send your CV "
        "and a short cover note to {email} by {closing}. We interview the week after closing.",
        {"title": ("Payroll Officer", "Data Analyst", "Office Manager", "Buyer"), "team": ("Operations", "Commercial"),
         "town": "town", "office_days": ("two", "three"), "salary": ("£31,500", "£38,000", "£42,750", "£29,400"),
         "team_size": ("six", "eight", "nine", "eleven"), "manager": "person", "since": "year", "email": "email",
         "closing": "date"},
        (("salary", "What does the {title} job pay?", "how much is the salary?"),
         ("town", "Where's the job based?", "which office would I work from?"),
         ("office_days", "How many days a week would I have to go in?", "how much office time is expected?"),
         ("manager", "Who would my boss be?", "Who does the {title} report to?"),
         ("email", "Where do I send my application?", "who do I email my CV to?"),
         ("closing", "What's the deadline to apply?", "when do applications close?")),
        ("Is there a pension scheme?", "How many days' holiday come with the job?", "Is there a car allowance?")),
    Scene("your_first_day.eml",
        "Subject: Your first day - {start_date}\n\nHi {starter.first},\n\nReally looking forward to having you on "
        "board! A few bits for the big day:\n\n- Come to reception at {street} for {arrive} and ask for {buddy}. "
        "They'll be your buddy for the first few weeks.\n- Your laptop will be waiting in {room}; IT will set it up "
        "with you at {it_time}.\n- Guest wifi is {wifi}, password's on the card at reception.\n- Lunch is on us - we "
        "usually go to {cafe} round the corner.\n\nAny problems on the day, ring me on {phone}.\n\n{manager.first}",
        {"start_date": "date", "starter": "person", "street": "street", "arrive": "time", "buddy": "person",
         "room": "room", "it_time": "time", "wifi": "word", "cafe": "word", "phone": "phone", "manager": "person"},
        (("arrive", "What time should I turn up on my first day?", "when do I need to be at reception?"),
         ("buddy", "Who's going to be my buddy?", "Who should I ask for when I arrive?"),
         ("room", "Where do I pick up my laptop?", "which room is the new laptop in?"),
         ("it_time", "What time is the laptop setup?", "when is IT sorting my laptop out?"),
         ("wifi", "What's the guest wifi called?", "which wifi network do I join?"),
         ("cafe", "Where are we going for lunch on day one?", "where's the usual lunch place?")),
        ("What's the wifi password?", "Is there a dress code?")),
    Scene("ticket_mail_crash.txt",
        "Ticket #{ticket} - Mail app keeps crashing\nRaised by: {user} ({dept})\nPriority: {priority}\nAssigned to: "
        "{tech}\n\n[{t1}] {user.first}: Mail closes every time I open an attachment. Laptop tag {asset}.\n[{t2}] "
        "{tech.first}: Reproduced it. Cache was corrupt - cleared it and rolled the client back to {version}.\n[{t3}] "
        "{user.first}: Seems fine now, thank you!\n\nStatus: Resolved",
        {"ticket": "number", "user": "person", "dept": ("Payroll", "Legal", "Marketing", "Facilities"),
         "priority": ("P2 - High", "P3 - Normal", "P4 - Low"), "tech": "person", "t1": "time", "t2": "time",
         "t3": "time", "asset": "code", "version": "version"},
        (("ticket", "What's the ticket number for the mail crashing problem?", "ticket ref for the mail issue?"),
         ("tech", "Who picked up the ticket?", "which engineer fixed it?"),
         ("asset", "What's the asset tag on the laptop?", "which laptop was it - the tag number?"),
         ("version", "What version was the mail client rolled back to?", "which mail version is on there now?"),
         ("dept", "Which department is {user.first} in?", "what team does the person who raised it work in?"),
         ("t2", "What time did IT first reply?", "when did the engineer get back to {user.first}?")),
        ("What made the cache go corrupt?", "Which laptop model is it?")),
    Scene("helpdesk_chat.log",
        "Service desk chat - {date}\n{agent.first} (IT): Hi, you're through to the service desk, what's up?\n"
        "{user.first}: can't get on the VPN from home, just says auth failed\n{agent.first} (IT): Your password "
        "expired yesterday - they run out every {expiry}. I've sent a reset link to your mobile.\n{user.first}: got "
        "it, new one done\n{agent.first} (IT): Great. Connect to the {gateway} gateway, not the default, that one's "
        "down till {fix_time}.\n{user.first}: in! ta\n{agent.first} (IT): Chat ref is {ref} if it drops again.",
        {"date": "date", "agent": "person", "user": "person", "expiry": "days", "gateway": "word", "fix_time": "time",
         "ref": "number"},
        (("expiry", "How often do passwords expire?", "how long does a password last before you have to change it?"),
         ("gateway", "Which VPN gateway should I use?", "what do I connect to instead of the default?"),
         ("fix_time", "When will the default gateway be back up?", "how long is the normal VPN down for?"),
         ("ref", "What's the reference number for the chat?", "if it drops again what ref do I quote?"),
         ("agent.first", "Who helped with the VPN?", "who was on the service desk?")),
        ("Why is the default gateway down?", "Does the VPN work on phones?")),
    Scene("it_downtime_notice.md",
        "**IT notice: planned downtime**\n\nThe {system} upgrade to v{version} happens this {weekday} night. Systems "
        "go offline at {down} and should be back by {up} the next morning.\n\nDuring the window: no remote access and "
        "no payroll. Printing still works.\n\nSave your work and log off before you go home. If anything is still "
        "broken after {up}, raise a ticket at {url} or call ext {ext}.\n\n- {it_lead}, IT Service Manager",
        {"system": "word", "version": "version", "weekday": "weekday", "down": ("6pm", "7pm", "8pm", "9.30pm"),
         "up": ("6am", "7am", "7.30am", "8am"), "url": "url", "ext": "code", "it_lead": "person"},
        (("down", "What time does everything go offline?", "when do systems go down?"),
         ("up", "When should the systems be back?", "what time will it all be working again?"),
         ("weekday", "Which night is the upgrade?", "what day is the downtime?"),
         ("version", "What version is {system} going up to?", "which release are we upgrading to?"),
         ("url", "Where do I log a ticket if it's still broken?", "what's the link for raising a ticket?"),
         ("it_lead", "Who sent the downtime notice?", "who runs the IT service?")),
        ("Will email work during the upgrade?", "Why is {system} being upgraded?")),
    Scene("front_desk_rota.md",
        "# ROTA - w/c {wc}\nFront desk. Early 07:00-15:00, Late 15:00-23:00\n\n| Day | Early | Late |\n"
        "|-----|-------|------|\n| Mon | {p1} | {p2} |\n| Tue | {p1} | {p3} |\n| Wed | {p4} | {p3} |\n| Thu | {p4} | "
        "{p2} |\n| Fri | {p5} | {p2} |\n| Sat | {p5} | {p1} |\n\nSunday closed. Swaps: sort it between you, then tell "
        "{sup.first} before {swap_by}. Overtime {ot_rate}/hr.",
        {"wc": "day_month", "p1": "first_name", "p2": "first_name", "p3": "first_name", "p4": "first_name",
         "p5": "first_name", "sup": "person", "swap_by": "weekday", "ot_rate": "money"},
        (("p3", "Who's on lates Tuesday?", "who is doing the late shift on Wednesday?"),
         ("p4", "Who opens up on Thursday?", "who's on the early shift Wednesday?"),
         ("p5", "Who's doing the Saturday early?", "who's in first on Friday?"),
         ("p2", "Who's on the late shift Monday?", "who's closing on Friday?"),
         ("sup.first", "Who do I tell if I swap a shift?", "who needs to know about swaps?"),
         ("swap_by", "By what day do swaps have to be sorted?", "what's the deadline for shift swaps?")),
        ("Who covers the front desk overnight?", "Is there a break rota?")),
    Scene("night_handover.txt",
        "HANDOVER - night to early, {date}\nFrom: {night} / To: {early.first}\n\n- Rm {room_no}: late check-in arrived "
        "{arrival}, paid on card. Wants a wake-up call at {wake}.\n- Rm {leak_room}: dripping tap. {maint.first} from "
        "maintenance coming after breakfast, guests moved to {moved_to} for now.\n- Lost property: {colour} umbrella "
        "left in the bar - in the safe.\n- Till float counted, {float}.\n- Lift 2 still out - engineer booked for "
        "{engineer_day}.\nQuiet otherwise!",
        {"date": "date", "night": "person", "early": "person", "room_no": "number", "arrival": "time", "wake": "time",
         "leak_room": "number", "maint": "person", "moved_to": "number", "colour": "colour", "float": "money",
         "engineer_day": "weekday"},
        (("wake", "When's the wake-up call for room {room_no}?", "what time does the late arrival want waking?"),
         ("maint.first", "Who's fixing the dripping tap?", "who from maintenance is coming?"),
         ("moved_to", "Which room did the guests with the leaky tap go to?", "where are the tap guests now?"),
         ("float", "How much was in the till float?", "what did the float count come to?"),
         ("engineer_day", "When's the lift engineer coming?", "what day is lift 2 getting looked at?"),
         ("night", "Who was on nights?", "who wrote the handover?")),
        ("Who left the umbrella?", "What time does maintenance start work?")),
    Scene("intranet_welcome.md",
        "# Welcome, {head.first}!\n*Posted by Internal Comms, {posted}*\n\nWe're delighted to welcome {head} as our "
        "new Head of {dept}, starting {start}. {head.first} joins from {prev_org} Group, where they spent {tenure} "
        "leading a team of forty.\n\nMany of you will know {old_head}, who retires this month. They first joined us in "
        "{year} as a trainee in the post room!\n\nThere's a leaving do for {old_head.first} on {party_date} at the "
        "{pub} from 5.30. And drop into {room} on Friday for coffee and cake with {head.first}.",
        {"head": "person", "posted": "day_month", "dept": ("Finance", "Customer Service", "Logistics", "People"),
         "start": "date", "prev_org": "word", "tenure": ("six years", "eight years", "a decade"), "old_head": "person",
         "year": "year", "party_date": "date", "pub": "word", "room": "room"},
        (("head", "Who's the new Head of {dept}?", "who is taking over {dept}?"),
         ("prev_org", "Where did the new head of {dept} work before?", "which company is {head.first} coming from?"),
         ("year", "When did {old_head.first} first join the company?", "what year did the retiring head start here?"),
         ("pub", "Which pub is the leaving do at?", "where's {old_head.first}'s leaving party?"),
         ("party_date", "When is the leaving do?", "what date is {old_head.first}'s send-off?"),
         ("room", "Where's the coffee and cake?", "where can I meet {head.first} on Friday?")),
        ("How old is {old_head.first}?", "What will {head.first}'s first project be?")),
    Scene("conference_programme.md",
        "# {event} Summit - Day 1\nVenue: Corn Exchange, {town}\n\n| Time | Session | Speaker | Room |\n"
        "|---|---|---|---|\n| 09:00 | Registration & coffee | - | Foyer |\n| 09:30 | Keynote: the next ten years | "
        "{keynote} | Main Hall |\n| 11:00 | Workshop: better spreadsheets | {s2} | {r2} |\n| 11:00 | Panel: hybrid "
        "teams | {s3} (chair) | {r3} |\n| 13:00 | Lunch | | Foyer |\n| 14:00 | Talk: procurement without tears | {s4} "
        "| {r2} |\n| 16:30 | Drinks | | Terrace |\n\nLost? Find someone in a {colour} lanyard.",
        {"event": "word", "town": "town", "keynote": "person", "s2": "person", "r2": "room", "s3": "person",
         "r3": "room", "s4": "person", "colour": "colour"},
        (("keynote", "Who's giving the keynote?", "who opens the {event} Summit?"),
         ("s3", "Who is chairing the hybrid teams panel?", "who's running the panel at 11?"),
         ("r3", "Which room is the panel on hybrid working in?", "where do I go for the hybrid teams session?"),
         ("r2", "Where's the spreadsheet workshop?", "which room for better spreadsheets?"),
         ("s4", "Who's doing the talk on procurement?", "who's speaking at 2pm?"),
         ("colour", "What colour lanyard do the helpers wear?", "if I'm lost, what lanyard do I look for?")),
        ("What time does day 2 start?", "Is lunch vegetarian?", "Do I need to book the workshop?")),
    Scene("first_aid_refresher.txt",
        "FIRST AID AT WORK - refresher day\n{date}, {room}, {start} start (be on time - latecomers can't sit the "
        "assessment)\n\nTrainer: {trainer} from {company} Training\nPlaces: {places}, first come first served - ask "
        "{admin.first} to add you.\n\nBring: comfy clothes (there's floor work) and your old certificate if you have "
        "one.\nLunch is provided; tell {admin.first} about allergies by {allergy_by}.\nCertificates last {valid} "
        "years.",
        {"date": "date", "room": "room", "start": "time", "trainer": "person", "company": "word",
         "places": "number_word", "admin": "person", "allergy_by": "day_month", "valid": ("two", "three")},
        (("start", "What time does the first aid training start?", "when do I need to be there for first aid?"),
         ("room", "Where's the first aid day?", "which room is the refresher in?"),
         ("trainer", "Who's running the course?", "who's the first aid trainer?"),
         ("admin.first", "Who do I ask to get on the course?", "who's booking people onto first aid?"),
         ("valid", "How long is the first aid certificate good for?", "how many years before I redo it?"),
         ("places", "How many spaces are there on the course?", "how many people can go?")),
        ("What time does it finish?", "Is there parking on site?")),
    Scene("quote_office_furniture.txt",
        "{supplier} Office Furniture Ltd\nQUOTATION No. Q-{quote_no}\nTo: {buyer}, Facilities\n\n| Item | Qty | Unit "
        "price (ex VAT) |\n|---|---|---|\n| Sit-stand desk, {colour} frame | {desk_qty} | {desk_price} |\n| Task "
        "chair, mesh back | {chair_qty} | {chair_price} |\n| Monitor arm, single | {arm_qty} | {arm_price} |\n\n"
        "Delivery & installation: {delivery}\nLead time: {lead} from order. Quote valid for {valid}.\nPayment terms: "
        "30 days from invoice.\n\nAny questions give me a ring on {phone}.\n{rep}, Account Manager",
        {"supplier": "word", "quote_no": "code", "buyer": "person", "colour": "colour", "desk_qty": "small_number",
         "desk_price": "money", "chair_qty": "small_number", "chair_price": "money", "arm_qty": "small_number",
         "arm_price": "money", "delivery": "money", "lead": "weeks", "valid": "days", "phone": "phone",
         "rep": "person"},
        (("chair_price", "How much is each chair?", "what's the unit cost of the mesh chairs?"),
         ("desk_qty", "How many desks are on the quote?", "how many sit-stand desks did we ask for?"),
         ("lead", "How long after ordering will the furniture arrive?", "what's the lead time?"),
         ("valid", "How long is the quote good for?", "when does this price run out?"),
         ("delivery", "What's the charge for delivery and fitting?", "how much to have it installed?"),
         ("rep", "Who's our contact at {supplier}?", "who's the account manager?")),
        ("Do they give a discount for bigger orders?", "What's the total including VAT?")),
    Scene("re_catering_quote.eml",
        "Subject: Re: Catering quote for {event_date}\n\nHi {buyer.first},\n\nApologies, I quoted you the old menu "
        "price. It's {new_price} a head, not {old_price} - that was last year's. Still includes tea and coffee twice "
        "and {food} as the hot option.\n\nWe'll need final numbers by {numbers_by}, and a deposit of {deposit} secures "
        "the date.\n\nCheers,\n{caterer.first}\n{caterer_co} Kitchen\n\n> Can you confirm the price per head for the "
        "lunch on {event_date}? We're expecting about {guests}.\n> {buyer}",
        {"event_date": "day_month", "buyer": "person", "new_price": "money", "old_price": "money", "food": "food",
         "numbers_by": "date", "deposit": "money", "caterer": "person", "caterer_co": "word", "guests": "number"},
        (("new_price", "How much per person is the catering?", "what's the price per head for the lunch now?"),
         ("numbers_by", "When do final numbers need to be in?", "by when do they need a headcount?"),
         ("deposit", "How much do they want up front to hold the date?", "what's the deposit?"),
         ("food", "What's the hot dish?", "what's the hot option at the lunch?"),
         ("caterer_co", "Which catering company is doing the lunch?", "who are the caterers?")),
        ("Is the deposit refundable?", "Do they do vegan food?")),
    Scene("car_park_closure.txt",
        "Building notice - car park resurfacing\n\nThe staff car park is closed from {close_date} for {duration} while "
        "it's resurfaced. In the meantime:\n- Permit holders can park at {alt} Retail Park (about {walk} on foot) - "
        "show your permit at the barrier.\n- Blue badge bays at the front entrance stay open.\n- The bike shed moves "
        "to the loading bay; door code is {code}.\nPlease DON'T park on {street}, neighbours have complained twice.\n\n"
        "Facilities - {fac}, ext {ext}",
        {"close_date": "date", "duration": ("three weeks", "ten days", "a fortnight"), "alt": "word", "walk": "minutes",
         "code": "code", "street": "street", "fac": "person", "ext": "small_number"},
        (("alt", "Where can I park while the car park's shut?", "where do permit holders go instead?"),
         ("close_date", "When does the car park close?", "from what date is the car park shut?"),
         ("duration", "How long is the car park out of action?", "how long will the resurfacing take?"),
         ("code", "What's the code for the bike shed?", "how do I get into the new bike store?"),
         ("street", "Which road are we asked not to park on?", "which street have the neighbours complained about?"),
         ("fac", "Who do I talk to about the car park?", "who's the facilities contact?")),
        ("How many spaces are there at the retail park?", "Is there a shuttle bus?")),
    Scene("ops_team_chat.txt",
        "#ops-team - {date}\n\n[{t1}] {a}: anyone around to cover reception {day} afternoon? {b}'s got a dentist appt\n"
        "[{t2}] {c}: I can do from 2 but I've got a call at {call_time}\n[{t3}] {a}: that works, {d} said they'd take "
        "over after that\n[{t4}] {b}: thank you!! also heads up, {parcels} parcels due in for {e}, need signing for",
        {"date": "date", "t1": "time", "t2": "time", "t3": "time", "t4": "time", "a": "first_name", "b": "first_name",
         "c": "first_name", "d": "first_name", "e": "first_name", "day": "weekday",
         "call_time": ("3.30", "4pm", "half 3", "quarter to 4"), "parcels": "number_word"},
        (("b", "Who has the dentist appointment?", "who needs reception covering?"),
         ("c", "Who's covering reception from 2?", "who volunteered first?"),
         ("d", "Who takes over reception after the call?", "who's doing the end of the afternoon?"),
         ("call_time", "What time's {c}'s call?", "when does {c} have to leave the desk?"),
         ("parcels", "How many parcels are coming for {e}?", "how many deliveries need signing for?"),
         ("day", "Which afternoon needs cover?", "what day is the dentist?")),
        ("What time does {b} get back from the dentist?", "Who are the parcels from?")),
    Scene("fire_wardens.txt",
        "FIRE SAFETY - {building} House, floor {floor}\n\nFire wardens:\n- {w1} (Chief Warden)\n- {w2} (Deputy, east "
        "side)\n- {w3} (Deputy, west side)\n- {aider} (First Aider, ext {ext})\n\nAssembly point: {assembly}.\n\nAlarm "
        "test every {test_day} at {test_time} - no need to leave the building.\nDon't use the lifts. If you'd need "
        "help getting out, have a word with {w1.first} so a personal plan can be written.",
        {"building": "word", "floor": ("2", "3", "4", "5"), "w1": "person", "w2": "person", "w3": "person",
         "aider": "person", "ext": "code", "assembly": ("the far end of the staff car park", "the green by the gates"),
         "test_day": "weekday", "test_time": "time"},
        (("w1", "Who's in charge if there's a fire?", "who's the chief fire warden on floor {floor}?"),
         ("w3", "Who's the warden for the west side?", "who clears the west side?"),
         ("aider", "If someone gets hurt, who do I fetch?", "who's the first aider?"),
         ("assembly", "Where do we go when the alarm goes off?", "where's the meeting point in a fire?"),
         ("test_day", "Which day is the fire alarm tested?", "what day does the alarm go off for testing?"),
         ("test_time", "What time is the weekly alarm test?", "when in the day is the alarm tested?")),
        ("Where are the fire extinguishers kept?", "When is the next fire drill?")),
    Scene("xmas_do.eml",
        "Subject: Xmas do!!\n\nHi everyone - it's booked :) {party_date} at the {pub}, upstairs room, from {start}. "
        "Tickets are {price} each (company's paying the rest), pay me by {pay_by} - cash or transfer is fine. Three "
        "courses, {food} for the veggie main. Partners welcome but they're full price ({guest_price}).\n\nLast train "
        "back is {last_train} so plan ahead!!\n\n{organiser.first} x",
        {"party_date": "date", "pub": "word", "start": "time", "price": "money", "pay_by": "day_month", "food": "food",
         "guest_price": "money", "last_train": "time", "organiser": "person"},
        (("pub", "Where's the Christmas party?", "which pub is the xmas do at?"),
         ("price", "How much is a ticket for staff?", "what do I pay for the do?"),
         ("guest_price", "How much is it to bring my partner?", "what's the price for a plus-one?"),
         ("pay_by", "When do I have to pay for the Christmas do by?", "what's the deadline for ticket money?"),
         ("food", "What's the vegetarian main?", "what's the veggie option?"),
         ("last_train", "What time's the last train home?", "how late can I stay if I'm getting the train?")),
        ("Is there a dress code?", "Is there a free bar?")),
    Scene("re_timesheets_correction.eml",
        "Subject: Re: Timesheets - CORRECTION\n\nCorrection to this morning's email: timesheets are due by "
        "{new_deadline} on Fridays, not {old_deadline}. Payroll moved the cut-off.\n\nOvertime still needs your shift "
        "manager's OK beforehand and is paid at {ot_rate} on weekdays, {wk_rate} at weekends.\n\nThanks,\n"
        "{payroll.first}, Payroll\n\n> All timesheets must be submitted in {system} by {old_deadline} each Friday.",
        {"new_deadline": "time", "old_deadline": "time", "ot_rate": ("1.5x", "1.25x"), "wk_rate": ("2x", "1.75x"),
         "payroll": "person", "system": "word"},
        (("new_deadline", "When do timesheets need to be in?", "what's the friday cut-off for timesheets now?"),
         ("system", "Where do I submit my timesheet?", "what system are timesheets done in?"),
         ("ot_rate", "What's overtime paid at during the week?", "weekday overtime rate?"),
         ("wk_rate", "If I do overtime on a Saturday what rate do I get?", "what's weekend overtime?"),
         ("payroll.first", "Who sent the timesheet correction?", "who in payroll wrote this?")),
        ("Who is my shift manager?", "Is there a cap on overtime hours?")),
)
