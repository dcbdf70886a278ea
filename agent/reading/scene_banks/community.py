"""Club, committee, school and village papers (minutes, rotas, notices, newsletters, chats): what groups keep."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("agm_minutes.txt",
          "{club} Bowls Club - AGM, {date}, {room}\n\nPresent: {chair} (Chair), {treasurer} (Treasurer), {secretary} "
          "(Secretary) and {number_word} members.\n\n1. Accounts. {treasurer.first} reported a balance of {balance} "
          "after the green was re-seeded.\n2. Subscriptions. Last year's AGM set the annual sub at {old_sub}. Raised "
          "to {new_sub} from 1 April, proposed by {proposer}, carried.\n3. AOB. Club night moves from Wednesday to "
          "{night}.\nClosed 9.10pm.",
          {"club": "town", "date": "date", "room": "room", "chair": "person", "treasurer": "person",
           "secretary": "person", "number_word": "number_word", "balance": "money", "old_sub": "money",
           "new_sub": "money", "proposer": "person", "night": ("Monday", "Thursday", "Friday")},
          (("chair", "Who chairs the {club} bowls club?", "who's in charge of the bowls club committee?"),
           ("treasurer", "Who looks after the club's money?", "Who gave the accounts at the AGM?"),
           ("new_sub", "How much is the yearly subscription now?", "If I join this year, what will my sub be?"),
           ("number_word", "Apart from the officers, how many members turned up?"),
           ("night", "Which night is club night now?", "what evening do we play on after the AGM?")),
          ("How much did re-seeding the green cost?", "Who seconded the rise in subs?")),
    Scene("allotment_newsletter.md",
          "# {site} Allotments - Spring Newsletter\n\nHello plot-holders! What a wet month. Bits of news:\n\n"
          "- Water troughs go back on {water_date}, so no more lugging cans from home.\n- New padlock on the main "
          "gate: code {code}. Please don't write it on the post (you know who you are).\n- Full plots stay at {rent}; "
          "half plots are {half_rent}. Pay {treasurer.first} at the hut on Sundays.\n- Manure is coming from {farm} "
          "Farm again. Bring a barrow.\n\nHappy digging,\n{editor} (plot {plot})",
          {"site": "town", "water_date": "day_month", "code": "code", "rent": "money", "half_rent": "money",
           "treasurer": "person", "farm": "word", "editor": "person", "plot": "small_number"},
          (("code", "What's the code for the allotment gate?", "how do I open the padlock on the main gate?"),
           ("water_date", "When will there be water on site again?", "From when can I fill my can at the plots?"),
           ("half_rent", "How much does a half plot cost?", "If I only want half a plot, what do I pay?"),
           ("treasurer.first", "Who do I give my rent money to?", "Who collects the plot rent at {site}?"),
           ("editor", "Who writes the allotment newsletter?", "Who puts the {site} news together?")),
          ("What time is the main gate locked at night?", "Is there a waiting list for plots?")),
    Scene("cafe_volunteer_rota.md",
          "## {centre} Community Café - volunteer rota, {month}\n\n| Week | Opening up (8.30) | Kitchen | Till |\n"
          "|---|---|---|---|\n| 1 | {v1} | {v2} | {v3} |\n| 2 | {v4} | {v5} | {v1} |\n| 3 | {v2} | {v6} | {v4} |\n"
          "| 4 | {v3} | {v5} | {v6} |\n\nCan't make your slot? Swap with someone and text {coord.first} on {phone}. "
          "Keys are in the key safe by the back door, code {code}.",
          {"centre": "town", "month": "month", "v1": "first_name", "v2": "first_name", "v3": "first_name",
           "v4": "first_name", "v5": "first_name", "v6": "first_name", "coord": "person", "phone": "phone",
           "code": "code"},
          (("v4", "Who's opening up in week 2?", "who unlocks the café in the second week of {month}?"),
           ("v6", "Who's in the kitchen for week three?", "Who is cooking in the third week?"),
           ("v3", "Who is on the till in week 1?", "who takes the money in the first week?"),
           ("coord.first", "Who do I tell if I swap a shift?", "Who keeps the café rota up to date?"),
           ("code", "What's the code for the key safe?", "How do I get the keys out?")),
          ("What time does the café close?", "Who is on the till in week five?", "What's the café wifi password?")),
    Scene("hall_booking_email.txt",
          "Subject: Re: hall booking\n\nHi {hirer.first},\n\nYour deposit of {deposit} came through, so you're all "
          "booked: {room} on {date}, {start} until {end}. The hire fee of {fee} is payable on the day.\n"
          "Tables wiped and stacked please, and no blu-tack on the walls. Keys are in the key safe by the side door. "
          "If anything goes wrong on the night ring {caretaker.first}, our caretaker, on {phone}.\n\n"
          "Best wishes,\n{clerk}\nBookings, {village} Village Hall",
          {"hirer": "person", "deposit": "money", "room": "room", "date": "date", "start": "time", "end": "time",
           "fee": "money", "caretaker": "person", "phone": "phone", "clerk": "person", "village": "town"},
          (("room", "Which room have I got?", "What part of the hall is booked for my party?"),
           ("end", "What time do we have to be out by?", "until when is the hall ours?"),
           ("fee", "How much is the hire charge?", "how much do I pay on the day?"),
           ("caretaker.first", "Who do I call if something breaks during the party?", "Who's the caretaker?"),
           ("clerk", "Who handles bookings at {village} village hall?")),
          ("Can we bring our own drinks?", "How many people does the room hold?", "Is there parking at the hall?")),
    Scene("parish_notice.txt",
          "{village} PARISH COUNCIL - PUBLIC NOTICE\n\nROAD CLOSURE: {road} Lane closed {closure_start} to "
          "{closure_end} for resurfacing. Diversion via {town2}.\nNext Parish Council meeting: {meet_date}, 7pm, "
          "{venue}. Public welcome.\nGrass cutting contract awarded to {contractor} Ltd.\nDog fouling on the playing "
          "field: fines up to {fine}.\nClerk: {clerk} - {email}",
          {"village": "town", "road": "word", "closure_start": "date", "closure_end": "date", "town2": "town",
           "meet_date": "date", "venue": ("the cricket pavilion", "the Old School Room", "the library annexe"),
           "contractor": "word", "fine": "money", "clerk": "person", "email": "email"},
          (("closure_end", "When does {road} Lane open again?", "how long is the lane shut for - until when?"),
           ("town2", "Which way do I go round the closure?", "What's the diversion?"),
           ("venue", "Where does the parish council meet?", "where do I go to sit in on the council meeting?"),
           ("contractor", "Who's cutting the grass?", "which firm got the mowing contract?"),
           ("fine", "How much can you be fined for not picking up after your dog?")),
          ("Why is the lane being resurfaced?", "What time does the closure start each day?",
           "Who chairs the parish council?")),
    Scene("residents_bins_email.txt",
          "From: {sender} <{email}>\nTo: {estate} Residents\nSubject: bin day change + clean-up\n\n"
          "Evening all,\n\nThe council say general waste collection moves from Monday to {bin_day} from next month.\n"
          "Our spring clean-up is on {old_date} - meet by the play area at 10, gloves and bags provided.\n"
          "And thanks to {helper.first} for fixing the noticeboard. They did it in the pouring rain, too.\n\n"
          "{sender.first}\n\n---\nSorry all, wrong date above! The clean-up is {new_date}, not {old_date}.",
          {"sender": "person", "email": "email", "estate": "town", "bin_day": "weekday", "old_date": "date",
           "helper": "person", "new_date": "date"},
          (("new_date", "When is the spring clean-up?", "what day do I turn up for the litter pick on the estate?"),
           ("bin_day", "What day do the bins go out from next month?", "Which day is rubbish collected now?"),
           ("helper.first", "Who fixed the noticeboard?", "who repaired the residents' noticeboard?"),
           ("sender", "Who sent the email about the bins?", "Who's organising the {estate} clean-up?")),
          ("What time are the bins collected?", "Where do the full rubbish bags go afterwards?")),
    Scene("school_trip_letter.txt",
          "{school} Primary School\n\nDear Parents and Carers,\n\nYear {year_group} will be visiting {attraction} on "
          "{trip_day}. The coach leaves promptly, so please have your child in class by {arrive}. We expect to be "
          "back by {return_time}.\nThe trip costs {cost}; please pay through the school app by {pay_by}. Children "
          "need a packed lunch (no nuts), a waterproof and sensible shoes.\n\nMany thanks,\n{teacher}\n"
          "{class_name} Class",
          {"school": "town", "year_group": ("3", "4", "5", "6"),
           "attraction": ("the wetland centre", "the county museum", "the old mill", "the castle ruins"),
           "trip_day": "date", "arrive": "time", "return_time": "time", "cost": "money", "pay_by": "day_month",
           "teacher": "person", "class_name": ("Oak", "Willow", "Rowan", "Hazel")},
          (("arrive", "What time does my child need to be in on trip day?", "when should I drop them off?"),
           ("return_time", "When will the coach get back?", "what time should I come for pick-up after the trip?"),
           ("cost", "How much is the trip?", "what do I have to pay for the Year {year_group} outing?"),
           ("pay_by", "What's the deadline to pay?", "By when do I need to have paid?"),
           ("trip_day", "When is the trip?", "What day are they going to {attraction}?")),
          ("Do they need parent helpers?", "Will there be a gift shop?", "What if my child gets travel sick?")),
    Scene("match_report.md",
          "**{club} Ladies 1st XI {ours} - {theirs} {opp}**\n\nA cold afternoon at {ground}. {opp} went ahead early "
          "from a short corner, and for twenty minutes we couldn't get out of our half.\nThe turnaround came from "
          "{scorer}. She picked the ball up on halfway, beat two and finished low - her {ordinal} goal of the "
          "season.\nPlayer of the match (voted by the opposition): {potm}.\n\nNext up: away at {next_opp} on "
          "{next_date}, meet at the clubhouse {meet}.",
          {"club": "town", "ours": ("2", "3", "4", "5"), "theirs": ("0", "1"), "opp": "town",
           "ground": ("Millfield", "the Rec", "Parkside"), "scorer": "person", "ordinal": "ordinal", "potm": "person",
           "next_opp": "town", "next_date": "date", "meet": "time"},
          (("scorer", "Whose goal turned the game around?", "who ran from halfway and scored?"),
           ("ordinal", "Which goal of the season was that for {scorer.first}?"),
           ("potm", "Who was player of the match?", "who did the other team pick as best player?"),
           ("next_opp", "Who are we playing next?", "who's the next match against?"),
           ("meet", "What time do we meet for the next away game?", "when do I need to be at the clubhouse?")),
          ("Who scored {opp}'s goal?", "Who is the team captain?")),
    Scene("cricket_fixtures.md",
          "# {club} CC - {team} fixtures\n\n| Date | Opponents | H/A | Start | Teas |\n|---|---|---|---|---|\n"
          "| Sat {d1} | {o1} | H | 1.30 | {t1} |\n| Sun {d2} | {o2} | A | 2.00 | - |\n| Sat {d3} | {o3} | A | 1.00 | "
          "- |\n| Sat {d4} | {o4} | H | 1.30 | {t2} |\n\nHome games at {ground}. Availability to {captain.first} by "
          "Wednesday night please - we were {number_word} short last week!",
          {"club": "town", "team": ("1st XI", "2nd XI", "Sunday XI"), "d1": "day_month", "d2": "day_month",
           "d3": "day_month", "d4": "day_month", "o1": "town", "o2": "town", "o3": "town", "o4": "town",
           "t1": "first_name", "t2": "first_name", "ground": ("the Rec", "the Top Field", "Church Meadow"),
           "captain": "person", "number_word": "number_word"},
          (("o3", "Who do we play on {d3}?", "which team are we away to on {d3}?"),
           ("d4", "When is the home game against {o4}?"), ("t1", "Who's doing teas when {o1} come to us?"),
           ("captain.first", "Who needs to know if I can play?", "who do I send my availability to?"),
           ("number_word", "How many players were we short last week?")),
          ("What time does the game against {o2} finish?", "What's the postcode for the {o3} ground?")),
    Scene("choir_rehearsal_notes.txt",
          "{choir} Community Choir - rehearsal notes\n\nLovely energy tonight! Notes from {director.first}:\n"
          "- {piece}: altos, bar {bar} to the end, please learn your line.\n- Concert is {concert_date}. Black top, "
          "{colour} scarf (spares in the box). Warm-up at {warmup} sharp; doors open to the public at {doors}.\n"
          "- Term subs ({subs}) to {treasurer.first} please.\nOur new accompanist, {pianist}, starts next week - they "
          "played for the {town2} Operatic for years.",
          {"choir": "town", "director": "person", "piece": ("Evening Song", "The Ferryman", "Winter Carol"),
           "bar": "small_number", "concert_date": "date", "colour": "colour", "warmup": "time", "doors": "time",
           "subs": "money", "treasurer": "person", "pianist": "person", "town2": "town"},
          (("bar", "Where do the altos need to start practising {piece}?", "which bar is the alto bit from?"),
           ("colour", "What colour scarf do we wear for the concert?"),
           ("doors", "What time can the audience get in?", "when do doors open for the concert?"),
           ("warmup", "What time do singers need to be there on concert day?"),
           ("pianist", "Who is the new accompanist?", "who's going to play piano for us now?")),
          ("Where is the concert?", "Is the concert ticketed?", "Who leads the tenor section?")),
    Scene("band_chat.txt",
          "[18:02] {lead.first}: rehearsal is at {venue} this week, main hall's being painted\n"
          "[18:03] {drummer.first}: what time?\n[18:03] {lead.first}: {time} start, be set up by then\n"
          "[18:05] {bass.first}: can't do it sorry, work\n[18:06] {lead.first}: no worries. {dep.first} said they can "
          "dep on bass\n[18:12] {lead.first}: ALSO the gig on {gig_date} at the {pub} Arms is confirmed!! {fee} plus "
          "food\n[18:14] {bass.first}: nice one. setlist?\n[18:15] {lead.first}: will send it tonight",
          {"lead": "person", "venue": ("the scout hut", "the church hall", "room 4 at the community centre"),
           "drummer": "person", "time": "time", "bass": "person", "dep": "person", "gig_date": "date", "pub": "word",
           "fee": "money"},
          (("venue", "Where's rehearsal this week?", "we're not in the main hall - where are we practising?"),
           ("dep.first", "Who's playing bass instead this week?", "Who's covering for {bass.first}?"),
           ("pub", "Which pub is the gig at?", "where are we playing on {gig_date}?"),
           ("fee", "How much is the band getting paid for the gig?", "what's the gig paying?"),
           ("time", "What time does rehearsal start?")),
          ("What time does the gig start?", "What songs are on the setlist?")),
    Scene("fun_run_faq.md",
          "# {town} Hospice Fun Run - FAQs\n\n**When and where?** {date}, from {park} Park. Short route {short}, long "
          "route {long}.\n**How much?** Adults {adult_fee}, under-16s {child_fee}.\n**Race numbers?** Collect from "
          "the marquee from {collect} on the day.\n**Parking?** Limited. Use the {car_park} car park; it's about "
          "{walk} on foot.\n**Anything else?** Fancy dress encouraged - best costume wins a {prize}.\n\n"
          "Questions to {organiser.first}",
          {"town": "town", "date": "date", "park": "word", "short": ("2 km", "3 km", "4 km"),
           "long": ("8 km", "10 km", "12 km"), "adult_fee": "money", "child_fee": "money", "collect": "time",
           "car_park": ("Leisure Centre", "Station Road", "Market Square"), "walk": "minutes",
           "prize": ("hamper", "trophy", "café voucher"), "organiser": "person"},
          (("child_fee", "How much is it for my 12-year-old?", "what do kids pay to enter?"),
           ("collect", "What time can I pick up my race number?", "when does the marquee start giving out numbers?"),
           ("long", "How far is the longer route?"), ("car_park", "Where should I park for the fun run?"),
           ("prize", "What do you win for the best fancy dress?")),
          ("What time does the run start?", "Are there toilets in the park?", "Can I bring my dog?")),
    Scene("book_club_roundup.txt",
          "Hi bookworms,\n\nThere were {number_word} of us squeezed into {host.first}'s front room on Tuesday - "
          "thanks for the cake! Verdict on {book1}: mostly loved, though {critic.first} called the ending \"a "
          "cop-out\".\n\nNext month it's {book2} by {author}. The library has {copies} copies on the reading-group "
          "shelf.\nWe'll meet on {next_date} in the back room of the {pub} Inn, as {host.first} has builders in.\n\n"
          "Happy reading,\n{organiser.first}",
          {"number_word": "number_word", "host": "person", "critic": "person",
           "book1": ("The Salt Harbour", "A Winter at Fennick", "The Glass Orchard"),
           "book2": ("Nine Lanterns", "Small Hours", "The Ferry Keeper"), "author": "person", "copies": "small_number",
           "next_date": "date", "pub": "word", "organiser": "person"},
          (("book2", "What are we reading next?", "what's next month's book club book?"),
           ("author", "Who wrote the next book?"),
           ("pub", "Which pub is the next meeting in?", "we're not at {host.first}'s - where are we meeting?"),
           ("critic.first", "Who didn't like the ending of {book1}?"),
           ("number_word", "How many people came to the last book club?")),
          ("Who chose {book2}?", "How much does it cost to join?", "What time does the next meeting start?")),
    Scene("ra_committee_minutes.md",
          "# {group} Residents' Association - committee, {date}\n\nPresent: {chair} (Chair), {sec} (Secretary), "
          "{treas} (Treasurer)\nApologies: {absent}\n\n## Decisions\n- Minute 4.2 of March (events need two weeks' "
          "notice) is replaced: events now need **{notice}** notice.\n- Summer fair moves from the green to "
          "{venue}.\n\n## Actions\n| Action | Who | By |\n|---|---|---|\n| Streetlight letter | {sec.first} | {d1} |\n"
          "| Renew insurance | {treas.first} | {d2} |",
          {"group": "town", "date": "date", "chair": "person", "sec": "person", "treas": "person", "absent": "person",
           "notice": ("three weeks'", "four weeks'", "six weeks'", "a month's"),
           "venue": ("the school field", "the church car park", "Jubilee Park"), "d1": "day_month", "d2": "day_month"},
          (("notice", "How much notice does an event need now?", "how far ahead must I warn the committee?"),
           ("venue", "Where's the summer fair this year?"), ("d2", "When does the insurance need renewing by?"),
           ("sec.first", "Who's writing to the council about the streetlight?"),
           ("absent", "Who couldn't make the meeting?", "who sent apologies?")),
          ("When is the summer fair?", "Which company insures the association?")),
    Scene("tennis_agm_elections.txt",
          "{club} Lawn Tennis Club - AGM: officer elections\n\nChair: {chair}, re-elected unopposed.\n"
          "Treasurer: {t_win}, {votes_win} votes; {t_lose}, {votes_lose} votes. {t_win.first} is elected.\n"
          "Membership Secretary: {memsec} (new). Takes over from {old_memsec}, who stands down after {years} years - "
          "huge thanks.\n\nAlso agreed: court fees for non-members rise to {guest_fee} an hour from {month}.",
          {"club": "town", "chair": "person", "t_win": "person",
           "votes_win": ("twenty-three", "nineteen", "thirty-one"), "t_lose": "person",
           "votes_lose": ("eleven", "fourteen", "nine"), "memsec": "person", "old_memsec": "person",
           "years": "small_number", "guest_fee": "money", "month": "month"},
          (("t_win", "Who's the new treasurer?", "who won the treasurer vote?"),
           ("votes_lose", "How many votes did {t_lose.first} get?"),
           ("memsec", "Who do I contact about membership now?", "who took over from {old_memsec}?"),
           ("years", "How many years did {old_memsec.first} do membership for?"),
           ("guest_fee", "If I'm not a member, how much is a court per hour?")),
          ("How much is a year's membership?", "Who proposed {t_win.first}?")),
    Scene("pta_cake_sale.txt",
          "From: {chair.first} ({school} PTA)\nSubject: Cake sale Friday!\n\nHi all,\n\nCake sale this Friday in the "
          "playground, straight after pick-up. We still need {number_word} more helpers, and someone to count the "
          "float ({float}, in the office).\nCakes to the staff room from {drop} - label anything with nuts. Last term "
          "we raised {raised}, so let's beat it!\n\n{chair.first}\n\nPS correction: Friday pick-up is {new_time}, not "
          "{old_time} like I said. The sale starts then.",
          {"chair": "person", "school": "town", "number_word": "number_word", "float": "money", "drop": "time",
           "raised": "money", "new_time": "time", "old_time": "time"},
          (("new_time", "What time does the cake sale start?", "when's pick-up on Friday?"),
           ("number_word", "How many more helpers do they need?"),
           ("drop", "When can I bring my cakes in?", "from what time can I drop off a cake at school?"),
           ("raised", "How much did last term's cake sale make?", "what did the PTA raise last time?"),
           ("float", "How much is in the float?")),
          ("How much is each cake?", "What will this sale's money pay for?")),
    Scene("swim_club_sessions.md",
          "## {club} Swimming Club - winter sessions at {pool} Leisure Centre\n\n| Squad | Day | Time | Lanes | Coach "
          "|\n|---|---|---|---|---|\n| Minnows | Mon | {t1} | 1-2 | {c1} |\n| Juniors | Wed | {t2} | 1-4 | {c2} |\n"
          "| Seniors | Wed | {t3} | 5-6 | {c3} |\n| Masters | Fri | {t4} | 1-6 | {c1} |\n\nFees are {fee} a month. "
          "Gala entries close {gala_close}; forms from {sec.first}. Hats in ALL sessions.",
          {"club": "town", "pool": "word", "t1": "time", "t2": "time", "t3": "time", "t4": "time", "c1": "person",
           "c2": "person", "c3": "person", "fee": "money", "gala_close": "date", "sec": "person"},
          (("t2", "What time is juniors training?", "when do the juniors swim on Wednesdays?"),
           ("c3", "Who coaches the seniors?"), ("t4", "What time is the Friday masters session?"),
           ("gala_close", "When do gala entries have to be in?", "what's the deadline for the gala?"),
           ("sec.first", "Who do I get a gala entry form from?")),
          ("How long is each session?", "At what age do you move up from Minnows?", "How much is a gala entry?")),
    Scene("scout_camp_letter.txt",
          "{troop} Scout Group - Summer Camp {year}\n\nDear Parents,\n\nCamp will be at {site} Woods from {start} to "
          "{end}. The cost is {cost}; a non-refundable deposit of {deposit} secures a place. Places are limited to "
          "{places}.\nPlease NAME all kit - last year we came home with {number_word} unclaimed fleeces.\n"
          "Medical forms back to me by {form_date}.\n\nYours in Scouting,\n{leader} (Group Scout Leader)",
          {"troop": "town", "year": "year", "site": "word", "start": "day_month", "end": "day_month", "cost": "money",
           "deposit": "money", "places": "small_number", "number_word": "number_word", "form_date": "date",
           "leader": "person"},
          (("deposit", "How much do we pay to hold a place?", "what's the camp deposit?"),
           ("site", "Where are the scouts camping?"), ("form_date", "When's the deadline for the medical form?"),
           ("end", "When do they come back from camp?", "what's the last day of camp?"),
           ("leader", "Who runs the {troop} scouts?", "who do I send the medical form to?")),
          ("What time does the coach leave?", "Can my child bring a phone?", "Is there a discount for siblings?")),
    Scene("centre_whats_on.md",
          "# {centre} Community Centre - what's on\n\n| Day | Activity | Room | Time | Cost |\n"
          "|---|---|---|---|---|\n| Mon | Chair yoga | {r1} | {t1} | {c1} |\n| Tue | Baby & toddler group | Main hall "
          "| 9.30-11.30 | {c2} |\n| Wed | Knit & natter | {r2} | {t2} | free |\n| Thu | Bridge | {r1} | {t3} | {c3} "
          "|\n\nThe lift is out of order until {lift}, sorry. Centre manager: {manager} ({phone})",
          {"centre": "town", "r1": "room", "r2": "room", "t1": "time", "t2": "time", "t3": "time", "c1": "money",
           "c2": "money", "c3": "money", "lift": "day_month", "manager": "person", "phone": "phone"},
          (("r1", "Which room is chair yoga in?"),
           ("t2", "What time is knit and natter?", "when do the knitters meet on Wednesdays?"),
           ("c2", "How much is the toddler group?", "what does it cost to bring my little one on Tuesday?"),
           ("lift", "When will the lift be working again?"),
           ("manager", "Who runs the community centre?", "who's in charge at {centre}?")),
          ("Who teaches chair yoga?", "Do I need to book for bridge?", "Is there parking at the centre?")),
    Scene("neighbourhood_watch_notes.txt",
          "{area} Neighbourhood Watch - notes ({date})\nAttendees: {coord} (Coordinator), PCSO {pcso}, {number_word} "
          "residents.\n\nPCSO {pcso.last} reported {thefts} shed break-ins since the last meeting, mostly on {road} "
          "Road. Advice: lock sheds, mark tools.\nQ: Any more patrols? A: PCSO {pcso.last} will walk the area on "
          "{patrol} evenings for the next month.\nQ: A speed sign on {road} Road? A: The council says not before "
          "{review}.",
          {"area": "town", "date": "date", "coord": "person", "pcso": "person", "number_word": "number_word",
           "thefts": "small_number", "road": "word", "patrol": ("Tuesday and Thursday", "Friday", "Monday"),
           "review": ("the spring traffic survey", "the new financial year", "next April")},
          (("thefts", "How many sheds have been broken into?", "how many break-ins were there since last time?"),
           ("pcso", "Who is our local PCSO?", "which police officer came along?"),
           ("patrol", "Which evenings will the PCSO be walking round?"), ("review", "When might we get a speed sign?"),
           ("coord", "Who coordinates the {area} neighbourhood watch?")),
          ("Has anyone been arrested for the break-ins?", "What's the PCSO's phone number?")),
    Scene("running_club_chat.txt",
          "#sunday-long-run\n{a} 07:12  Who's in for Sunday? Thinking {distance} from the {start} car park, 8am\n"
          "{b} 07:20  in. pace?\n{a} 07:21  easy chatty pace. {c} is taking a faster group\n{b} 08:02  coffee after "
          "at {cafe}?\n{a} 08:03  obviously\n{d} 09:15  can't make it, hamstring :( is the club kit order still "
          "open?\n{c} 09:20  until {kit_deadline}, form's pinned in #general. vests are {vest}",
          {"a": "first_name", "b": "first_name", "c": "first_name", "d": "first_name",
           "distance": ("10 miles", "12 miles", "18 km", "20 km"), "start": ("Reservoir", "Country Park", "Old Quarry"),
           "cafe": ("the kiosk", "the garden centre", "Rosa's"), "kit_deadline": "weekday", "vest": "money"},
          (("distance", "How far is the Sunday run?", "how long a run is it this week?"),
           ("c", "Who's leading the quicker runners?"), ("cafe", "Where are we getting coffee afterwards?"),
           ("kit_deadline", "When's the last day to order club kit?", "how long is the kit order open?"),
           ("d", "Who's injured?", "who is missing Sunday?")),
          ("What colour is the club vest?", "How much is a club hoodie?")),
    Scene("repair_cafe_poster.txt",
          "REPAIR CAFÉ - {town}\n{date}, {start}-{end}, {room}, {town} Community Centre\n\nBring your broken things!\n"
          "- lamps, toasters, radios - see {elec.first}\n- bikes - {bike.first} (clean ones please)\n"
          "- sharpening: knives and garden tools, {sharp} per item\n\nRepairs are free. Last time we fixed {fixed} of "
          "the {brought} items brought in!\nPlease arrive before {last_entry} - no new repairs after that.",
          {"town": "town", "date": "date", "start": "time", "end": "time", "room": "room", "elec": "person",
           "bike": "person", "sharp": "money", "fixed": ("19", "23", "27"), "brought": ("35", "38", "41"),
           "last_entry": "time"},
          (("bike.first", "Who looks at bikes?", "who should I see about my bike's brakes?"),
           ("sharp", "How much is sharpening?", "what do they charge to sharpen my shears?"),
           ("last_entry", "What's the latest I can turn up with something broken?"),
           ("room", "Which room is the repair café in?"),
           ("elec.first", "Who fixes lamps and toasters?", "who do I take my broken radio to?")),
          ("Do they fix mobile phones?", "Is there parking at the centre?", "Can they mend clothes?")),
    Scene("village_show_schedule.md",
          "# {village} Village Show - {date}\n\nEntries to the marquee from {entry_start}; open to the public at "
          "{public}. Entry fee {entry_fee} per class (juniors free).\n\n| Class | Description | Judge |\n"
          "|---|---|---|\n| 1 | Three matching onions | {j1} |\n| 7 | Victoria sponge | {j2} |\n"
          "| 12 | Jar of jam | {j2} |\n| 20 | Child's painting, under 11 | {j3} |\n\nThe {cup} Cup goes to the "
          "exhibitor with most points.",
          {"village": "town", "date": "date", "entry_start": "time", "public": "time", "entry_fee": "money",
           "j1": "person", "j2": "person", "j3": "person", "cup": "word"},
          (("j3", "Who's judging the children's paintings?"),
           ("j2", "Who judges the jam?", "who will taste the sponges?"),
           ("public", "What time can visitors get in?", "when does the show open to everyone?"),
           ("entry_fee", "How much does it cost to enter a class?", "If I enter my onions, what do I pay?"),
           ("cup", "What's the trophy for most points called?")),
          ("What's the prize for the best jam?", "How much is it for visitors to get in?", "Where is the marquee?")),
    Scene("food_bank_welcome.txt",
          "Hi all,\n\nThanks for signing up to help at {town} Food Bank! Shifts run {shift_start}-{shift_end}, "
          "{days}. Use the side entrance on {street} and sign in on the tablet, PIN {code}.\nYour shift lead is "
          "{lead}. They've been with us since {year} and know where everything lives.\nMost needed right now: tinned "
          "fish and {item}.\nIf you can't make a shift, tell me at least {notice} before.\n\nThanks,\n"
          "{coordinator}\nVolunteer Coordinator",
          {"town": "town", "shift_start": "time", "shift_end": "time",
           "days": ("Tuesdays and Fridays", "Mondays and Thursdays", "Wednesdays and Saturdays"), "street": "street",
           "code": "code", "lead": "person", "year": "year", "item": ("toiletries", "coffee", "rice", "UHT milk"),
           "notice": "hours", "coordinator": "person"},
          (("code", "What's the PIN for signing in?", "what do I type into the tablet when I arrive?"),
           ("year", "When did {lead.first} start at the food bank?", "since what year has my shift lead been there?"),
           ("notice", "How much notice do I give if I can't do a shift?"),
           ("street", "Where's the volunteers' entrance?"),
           ("coordinator", "Who do I tell if I can't come in?", "who organises the volunteers?")),
          ("Do I need a DBS check?", "Is there a uniform?", "Is there parking at the food bank?")),
    Scene("guild_newsletter.txt",
          "{town} Townswomen's Guild - {month} newsletter\n\nOur speaker this month is {speaker}, on keeping bees in "
          "a small garden. {speaker.first} has kept hives for {years} years, so bring questions!\n\n"
          "OUTING to {garden} Gardens, {outing}. Cost {cost} including entry; pay {treasurer.first}.\n"
          "Please note the coach now leaves Market Square at {new_coach}, not {old_coach} as printed last month.\n\n"
          "{secretary}, Hon. Secretary",
          {"town": "town", "month": "month", "speaker": "person", "years": "small_number", "garden": "word",
           "outing": "date", "cost": "money", "treasurer": "person", "new_coach": "time", "old_coach": "time",
           "secretary": "person"},
          (("new_coach", "What time does the coach leave for the outing?", "when do I need to be at Market Square?"),
           ("speaker", "Who's giving the talk this month?", "who is the bee speaker?"),
           ("years", "How long has the speaker kept bees?"), ("cost", "How much is the garden trip?"),
           ("treasurer.first", "Who do I pay for the outing?")),
          ("What time does the meeting start?", "How many seats are left on the coach?")),
    Scene("school_bulletin.md",
          "# {school} School - Friday Bulletin\n\nWell done to Year 6 for their leavers' show - {star} as the "
          "Narrator had us all in tears.\n\n| Date | What |\n|---|---|\n| {d1} | INSET day - school closed |\n"
          "| {d2} | Flu vaccinations, Reception to Y2 |\n| {d3} | Parents' evening (book via the app) |\n\n"
          "The new {colour} PE tops are in; order through the uniform shop by {order}.\n\n{head}, Headteacher",
          {"school": "town", "star": "person", "d1": "day_month", "d2": "day_month", "d3": "day_month",
           "colour": "colour", "order": "date", "head": "person"},
          (("d1", "When's the INSET day?", "which day is school shut for staff training?"),
           ("d3", "When is parents' evening?"), ("colour", "What colour are the new PE tops?"),
           ("star", "Who played the Narrator?", "which child was the narrator in the Year 6 show?"),
           ("order", "When do I need to order the PE top by?")),
          ("What time does parents' evening start?", "When is sports day?", "How much are the PE tops?")),
    Scene("junior_football_update.txt",
          "{team} U{age}s - parents update\n\n* Training moves indoors from next week: {venue} sports hall, {day}s "
          "{time}.\n* Subs {subs} a month, due by the 1st.\n* Match days: kick-off 10am, please arrive by {arrive}. "
          "No shin pads, no game - league rule.\n* Home shirts are {colour}. The away kit bag is missing - if you've "
          "got it please drop it back to {kit.first}.\n\nThanks, Coach {coach.first}",
          {"team": "town", "age": ("9", "10", "11", "12"), "venue": ("St Mark's", "the leisure centre", "Hill School"),
           "day": "weekday", "time": "time", "subs": "money", "arrive": "time", "colour": "colour", "kit": "person",
           "coach": "person"},
          (("venue", "Where is training over the winter?", "where do the kids train now it's indoors?"),
           ("day", "Which day is indoor training?"), ("arrive", "What time should we get there on match days?"),
           ("subs", "How much are the monthly subs?"), ("kit.first", "Who does the away kit bag go back to?")),
          ("What colour is the away kit?", "Who are we playing on Saturday?")),
)
