"""Leisure scenes (timetables, listings, festivals, menus, hobby forums, holiday lets, fixtures): free-time reading."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("gym_class_timetable.md",
          "# {gym} Leisure Centre: classes this week\n\n| Time | Class | Instructor | Studio |\n|---|---|---|---|\n"
          "| 06:30 | HIIT Express | {hiit_coach} | Studio 1 |\n| 09:15 | Pilates | {pilates_coach} | {pilates_room} "
          "|\n| 12:30 | Lunchtime Spin | {spin_coach} | Spin Studio |\n| 19:30 | Aqua Fit | {aqua_coach} | Main Pool "
          "|\n\nBook in the app up to {window} ahead. **Thursday only: Aqua Fit moves to {thursday_time} (swimming "
          "gala).** Members can bring a guest for {guest_fee} a visit.",
          {"gym": "word", "hiit_coach": "first_name", "pilates_coach": "first_name", "pilates_room": "room",
           "spin_coach": "first_name", "aqua_coach": "first_name", "window": ("48 hours", "72 hours", "five days"),
           "thursday_time": ("17:15", "18:00", "20:30"), "guest_fee": ("£6", "£7.50", "£8")},
          (("spin_coach", "Who takes the lunchtime spin class?", "who's teaching spin at half twelve?"),
           ("pilates_room", "Where is Pilates held?", "Which room do I go to for pilates?"),
           ("window", "How far ahead can I book a class?", "How early does booking open in the app?"),
           ("thursday_time", "What time is Aqua Fit on Thursday?", "If I want to do Aqua Fit this Thursday, when?"),
           ("guest_fee", "How much is it to bring a friend?", "What does a guest pass cost?")),
          ("How much is a monthly membership?", "Is there a creche?", "When does the centre close on Sundays?")),
    Scene("yoga_term_email.txt",
          "Subject: Tuesday yoga is back!\n\nHi everyone, hope you had a good summer. We start again on Tuesday "
          "{start} in the {venue}, {start_time} as usual. The term is {weeks}: {term_price} up front, or {dropin} a "
          "session if you'd rather drop in.\n\nSome news: {cover} will be covering the last three weeks while I'm "
          "away. She trained in {town} and she's great with beginners, be nice!\n\nNamaste,\n{teacher.first}",
          {"start": "day_month", "venue": ("Methodist church hall", "Scout hut", "Quaker meeting house"),
           "start_time": ("6.15pm", "6.30pm", "7pm"), "weeks": "weeks", "term_price": ("£60", "£72", "£84"),
           "dropin": ("£9", "£10", "£12"), "cover": "person", "town": "town", "teacher": "person"},
          (("cover", "Who's standing in for the teacher at the end of term?", "Who teaches the last few weeks?"),
           ("town", "Where did {cover.first} train?", "Where did the cover teacher do her training?"),
           ("dropin", "How much if I just come to the odd class?", "what's the drop-in price?"),
           ("start", "When does yoga start again?", "What's the date of the first class?"),
           ("venue", "Where is the class held?", "where do I go for tuesday yoga?")),
          ("Where is the teacher going while she's away?", "Is there parking at the hall?", "Can I pay by card?")),
    Scene("picturehouse_listings.txt",
          "{cinema} PICTUREHOUSE: WHAT'S ON from Friday {fri}\n\nSCREEN 1  The {film_a} Affair (12A)\n"
          "  Daily 14:10, 17:30, {film_a_eve}\nSCREEN 2  {film_b} (PG)\n"
          "  Sat & Sun 10:30 Kids Club (tickets {kids_price}), daily 15:45\nSCREEN 3  {film_c} (15)\n"
          "  Daily 18:20, 20:50, Q&A with director {director} after Wednesday's show\n\n"
          "Tuesdays all seats {tuesday_price}. Relaxed screening of {film_b} on Sunday: lights up, sound down.",
          {"cinema": "word", "fri": "day_month", "film_a": "word", "film_a_eve": ("19:55", "20:15", "20:40"),
           "film_b": "word", "kids_price": ("£2.50", "£3"), "film_c": "word", "director": "person",
           "tuesday_price": ("£5", "£6", "£6.50")},
          (("film_a_eve", "What's the latest showing of The {film_a} Affair?", "last showing of {film_a} is when?"),
           ("kids_price", "How much are Kids Club tickets?", "what do tickets cost for the weekend kids' film?"),
           ("director", "Who's doing the Q&A on Wednesday?", "Which director is coming in to talk?"),
           ("tuesday_price", "how much is it on a tuesday?", "What's the cheap night price?"),
           ("film_b", "Which film has the relaxed screening?", "What's on for the relaxed screening?")),
          ("Is there a bar in the cinema?", "Can I book seats online?", "How long is The {film_a} Affair?")),
    Scene("players_programme.txt",
          "THE {society} PLAYERS present \"{play}\", a comedy by {playwright}\n"
          "Village Hall, {dates}. Curtain up {curtain}, bar open in the interval.\n\nCAST\n"
          "Mrs Hargreave ..... {lead}\nThe Vicar ......... {vicar}\n\nDirected by {director}\n"
          "Lighting & sound: the wonderful {tech.first} (again!)\n\nTickets {price} from the Post Office. Auditions "
          "for our next show are open to all!",
          {"society": "word", "play": ("Tea at the Rectory", "A Bed Too Many"), "playwright": "person",
           "dates": ("14-16 March", "2-4 May"), "curtain": ("7pm", "7.30pm"), "lead": "person", "vicar": "person",
           "director": "person", "tech": "person", "price": ("£8", "£10", "£12")},
          (("vicar", "Who plays the vicar?", "Which actor has the part of the vicar?"),
           ("director", "Who directed the show?", "who's directing this one?"),
           ("curtain", "What time does the play start?", "When do we need to be in our seats?"),
           ("playwright", "Who wrote {play}?", "Who's the author of the play?"),
           ("tech.first", "Who does the lighting?", "Who's running sound for the show?")),
          ("How long does the play run?", "Is there wheelchair access?", "When are the auditions held?")),
    Scene("festival_running_order.md",
          "## {fest} Festival: Saturday running order\n\n**Main Stage**\n- 13:00 Arena opens\n- 14:30 {act1}\n"
          "- 16:15 {act2}\n- 20:30 {headliner} (headline set)\n\n**The {tent} Tent** (acoustic & folk)\n"
          "- 15:00 {folk1}\n- 17:30 {folk2}\n\nFireworks after the headliner, weather permitting. Last shuttle back "
          "to {town} leaves the main gate at {last_bus}, and it's always rammed, so don't leave it to the end.",
          {"fest": "word", "act1": "word", "act2": "word", "headliner": "word",
           "tent": ("Hay Bale", "Orchard", "Big Top", "Willow"), "folk1": "person", "folk2": "person", "town": "town",
           "last_bus": ("22:30", "23:00", "23:45", "00:15")},
          (("headliner", "Who's headlining on Saturday?", "who closes the main stage?"),
           ("act2", "Who's on the main stage at 16:15?", "which band is playing at quarter past four?"),
           ("folk2", "Who's playing the {tent} Tent at half five?", "Who's the 17:30 folk act?"),
           ("tent", "Where's the acoustic stuff on?", "Which tent has the folk acts?"),
           ("last_bus", "When's the last bus back to {town}?", "If I'm getting the shuttle, what's the latest one?")),
          ("How much are Saturday tickets?", "Who's headlining on Sunday?", "Is camping included in the ticket?")),
    Scene("festival_faq.md",
          "# {fest} Fest: FAQs\n\n**When do the gates open?**\nCampsite: {camp_open} Thursday. Arena: Friday noon.\n"
          "\n**Can I bring my own drink?**\nInto the campsite, up to {cans} cans each. No glass anywhere.\n\n"
          "**Is there parking?**\nYes, off {road} Lane. Passes are {parking}, in advance only.\n\n"
          "**I've lost my wristband!**\nGo to the box office. A new one is {band_fee} with photo ID.\n\n"
          "**Accessibility?**\nEmail {access.first} on {access_email}; she sorts viewing platform passes.",
          {"fest": "word", "camp_open": ("9am", "10am", "2pm", "4pm"), "cans": ("12", "18", "24"), "road": "word",
           "parking": ("£10", "£15", "£25"), "band_fee": ("£5", "£20", "£30"), "access": "person",
           "access_email": "email"},
          (("camp_open", "When can we get onto the campsite?", "what time does the campsite open on thursday?"),
           ("cans", "How many cans can I take in?", "What's the booze allowance for camping?"),
           ("parking", "How much is it to park?", "What does a parking pass cost?"),
           ("band_fee", "I've lost my wristband, how much is a new one?", "What's a replacement band cost?"),
           ("access.first", "Who handles accessibility requests?", "Who do I talk to about the viewing platform?")),
          ("Can I bring a gas stove?", "Is there a cash machine on site?", "Are dogs allowed?")),
    Scene("pub_menu.txt",
          "THE {pub} ARMS: SPRING MENU (food 12-2.30 & 6-9)\n\nSoup of the day, crusty bread ... {soup_price}\n"
          "Beer-battered haddock, chips, peas ... {fish_price}\n{main}, greens ... £14.50\n"
          "Wild mushroom risotto (v) ... {risotto_price}\nPuddings, all {pud_price}: sticky toffee / treacle tart / "
          "cheese board\n\nFrom the kitchen: it's all made here by {chef.first} and the team. Chips share a fryer "
          "with the fish, so they're not safe for coeliacs, sorry.",
          {"pub": "word", "soup_price": ("£5.50", "£6"), "fish_price": ("£15.95", "£16.50"),
           "main": ("Lamb shoulder", "Chicken pie"), "risotto_price": ("£12.95", "£13"), "pud_price": ("£6.50", "£7"),
           "chef": "person"},
          (("fish_price", "How much is the fish and chips?", "what does the haddock cost?"),
           ("risotto_price", "How much is the risotto?", "If I'm vegetarian, what's the main going to cost?"),
           ("pud_price", "How much are desserts?", "what do the puddings cost?"),
           ("chef.first", "Who does the cooking?", "Who's the chef at the {pub}?"),
           ("soup_price", "How much is the soup?", "what's soup and bread?")),
          ("What's the soup today?", "Do they take bookings for Sunday lunch?", "Is there a kids' menu?")),
    Scene("table_booking_confirmation.eml",
          "From: Reservations, {restaurant}\nSubject: Table confirmed\n\nDear {guest.first},\n\nDate: {date}\n"
          "Time: {old_time}\nTable for {party}, in {area}\nBooking ref: {ref}\n\n"
          "A {deposit} deposit has been taken. UPDATE: sorry, wrong time above! Your table is for {new_time}, not "
          "{old_time}.\nTo cancel, give us {notice} notice or we keep the deposit.\n\n{host.first} and the team",
          {"restaurant": "word", "guest": "person", "date": "date", "old_time": ("7pm", "7.30pm"),
           "new_time": ("6.45pm", "8.15pm"), "party": ("two", "four", "six"),
           "area": ("the conservatory", "the garden room", "the window booth"), "ref": "code",
           "deposit": ("£10", "£20", "£25"), "notice": ("24 hours", "48 hours"), "host": "person"},
          (("new_time", "What time's our table?", "When do we need to get to the restaurant?"),
           ("party", "How many people is the booking for?", "how many of us is the table for?"),
           ("ref", "What's the booking reference?", "What number do I quote if I ring them?"),
           ("area", "Where are we sitting?", "Which part of the restaurant is our table in?"),
           ("notice", "How much notice do they need to cancel?", "If we cancel, how late can we leave it?")),
          ("Is there a dress code?", "Can we bring our own wine?", "Do they have a high chair?")),
    Scene("quiz_night_results.md",
          "**Quiz night results, {pub} Inn**\n\nCracking turnout, {teams} teams! Thanks to {qm.first} for stepping in "
          "as quizmaster at the last minute (she says never again 😂).\n\n| Pos | Team | Score |\n|---|---|---|\n"
          "| 1 | {team1} | {s1} |\n| 2 | {team2} | {s2} |\n| 3 | {team3} | {s3} |\n\n"
          "Nobody got the picture round bonus so the rollover's up to {rollover}. Wooden spoon to {spoon} with a "
          "heroic 19, see you next week lads.",
          {"pub": "word", "teams": ("eleven", "fourteen"), "qm": "person", "team1": ("Les Quizerables", "Quizteama"),
           "team2": ("The Know-It-Ales", "Mockingbirds"), "team3": ("Quizzly Bears", "Brainiacs"), "s1": ("47", "51"),
           "s2": ("43", "45"), "s3": ("38", "41"), "rollover": ("£90", "£150"), "spoon": ("Dave's Lot", "Table Six")},
          (("team2", "Who came second?", "Which team was runner-up at the quiz?"),
           ("s1", "How many points did the winners get?", "What was the winning score?"),
           ("qm.first", "Who ran the quiz?", "who was asking the questions last night?"),
           ("rollover", "How big is the rollover now?", "What's the picture round jackpot up to?"),
           ("spoon", "Who came last?", "Which team got the wooden spoon?")),
          ("How much does it cost to enter?", "What time does the quiz start?", "What were the rounds?")),
    Scene("coarse_fishing_forum.txt",
          "Thread: {lake} Reservoir, worth a day ticket?\n{op} (Sat 07:12): Trying {lake} next weekend. Prices? Best "
          "swims? Mainly after carp.\n  {r1} (Sat 08:40): Day ticket's {ticket}, cash to the bailiff. Peg {peg} on "
          "the north bank has been producing all summer, my mate had a {fish_weight} mirror out of it last month.\n"
          "  {r2} (Sat 09:05): What {r1} said. They lock the gate at {gate} sharp, don't get locked in like I did 🙄",
          {"lake": "word", "op": ("CarpDiem77", "tenchtastic"), "r1": ("OldGreyMullet", "Reel_Deal"),
           "r2": ("gudgeon_gary", "NightSwimmer"), "ticket": ("£8", "£10", "£12"), "peg": ("3", "14", "17", "22", "26"),
           "fish_weight": ("22lb", "24lb", "27lb"), "gate": ("7pm", "8pm", "dusk")},
          (("ticket", "How much is a day ticket at {lake}?", "what does it cost to fish there for the day?"),
           ("peg", "Which peg has been fishing best?", "Where should I set up if I want a carp?"),
           ("gate", "What time do they lock up?", "When do I need to be off the bank by?"),
           ("fish_weight", "How big was the mirror carp {r1}'s mate caught?", "How heavy was that carp?"),
           ("r2", "Who got locked in?", "Which poster got stuck inside after closing?")),
          ("Is night fishing allowed?", "Can you buy bait on site?", "Is there a car park at {lake}?")),
    Scene("knitting_forum_gauge.md",
          "**Help! Gauge way off on the {pattern} cardigan**, posted by {op}\n\n"
          "Knitting it in {yarn_colour} DK, pattern says 22 sts to 10cm on {needle} needles and I'm getting 25!! "
          "Whole back done 😭\n> **{r1}**: Sorry, it'll come out about {smaller} too small round the chest. I'd frog "
          "it and go up to {bigger_needle}.\n> **{r2}**: Or knit the next size up and keep your needles! Did that for "
          "my sister's, took me {knit_time} but it fits her perfectly.\n"
          "> **{op}**: Going with {r2}'s idea, thanks both xx",
          {"pattern": "word", "op": ("woolly_mammoth", "KnitWitch"), "yarn_colour": "colour",
           "needle": ("4mm", "3.75mm", "3.5mm"), "r1": ("SockItToMe", "ewe_knit"), "smaller": ("5cm", "6cm", "8cm"),
           "bigger_needle": ("4.5mm", "5mm"), "r2": ("Granny_Purl", "casting_on"), "knit_time": "weeks"},
          (("needle", "What needle size does the pattern ask for?", "Which needles is the pattern written for?"),
           ("bigger_needle", "What size needles did {r1} recommend?", "If I frog it, what needles should I use?"),
           ("smaller", "How much too small will the cardigan be?", "how much smaller round the chest?"),
           ("r2", "Who suggested knitting the bigger size?", "Whose advice did {op} take?"),
           ("knit_time", "How long did the sister's cardigan take?", "how long did {r2} take to knit one?")),
          ("What brand of yarn is it?", "How many balls does the cardigan need?", "Which size is {op} knitting?")),
    Scene("reserve_sightings_board.txt",
          "Sightings: {reserve} Marshes\n{op.first}, {post_time}: Probable {bird} from the {hide} hide this morning, "
          "far scrape. Also at least {godwits} black-tailed godwits.\n{r1.first}: Great stuff! Was it ringed? I'll "
          "head down after lunch.\n{op.first}: No rings that I could see. Correction: I was in the {new_hide} hide, "
          "not the {hide} one, it's the one along the boardwalk.\n{r1.first}: Seen it!! Still there at {seen_time}.",
          {"reserve": "word", "op": "person", "post_time": ("08:40", "9.10am"),
           "bird": ("spoonbill", "glossy ibis", "purple heron"), "hide": ("Tern", "Kingfisher", "Avocet"),
           "godwits": ("30", "45", "80"), "r1": "person", "new_hide": ("Sandpiper", "Reed Bunting", "Lapwing"),
           "seen_time": ("2.30pm", "15:10", "4pm")},
          (("bird", "What rare bird was spotted?", "what did {op.first} see on the scrape?"),
           ("new_hide", "Which hide was it seen from?", "Where should I sit to see the bird?"),
           ("godwits", "How many godwits were there?", "how many black-tailed godwits did they count?"),
           ("seen_time", "When did {r1.first} see it?", "What time was it last reported still there?"),
           ("r1.first", "Who went down after lunch?", "Who else managed to see it?")),
          ("Are dogs allowed on the reserve?", "How much is parking?", "What time does the reserve close?")),
    Scene("railway_club_board.txt",
          "{club} Model Railway Club: members' board\n\n{op.first} {op.last}: Right, the {layout} layout is going to "
          "the {town} exhibition on {show_date}! Need at least {operators} operators for the Saturday. Van leaves the "
          "clubroom at {van_time}. Who's in?\n{r1.first}: Count me in. Steam or the 1970s diesels this time?\n"
          "{op.first}: Diesels. The {loco} is finally fixed (cheers {fixer.first}, that motor rewire was a "
          "nightmare). Also subs are due, pay {treasurer.first}.",
          {"club": "word", "op": "person", "layout": "word", "town": "town", "show_date": "date",
           "operators": ("four", "five", "six"), "van_time": ("7am", "7.30am", "8am"), "r1": "person",
           "loco": ("Class 37", "Class 47", "Class 08"), "fixer": "person", "treasurer": "person"},
          (("fixer.first", "Who fixed the {loco}?", "who did the motor rewire?"),
           ("treasurer.first", "Who do I pay my subs to?", "Who collects the membership money?"),
           ("van_time", "What time does the van leave?", "When do I need to be at the clubroom on the day?"),
           ("operators", "How many operators are needed on Saturday?", "how many people does the layout need?"),
           ("town", "Where's the exhibition?", "Which town is the show in?")),
          ("What time does the exhibition open?", "How much are the subs?", "Where is the clubroom?")),
    Scene("games_night_house_rules.md",
          "# House rules: {group} games night\n\n1. Whoever owns the game explains it. Max {explain} minutes, then we "
          "learn as we go.\n2. **{game_a}**: everyone starts with {start_cards} cards, not five.\n"
          "3. Ties go to whoever travelled furthest.\n4. Loser of the last game packs away. No exceptions, "
          "{dodger.first}.\n5. Host picks the first game, then the {ordinal} person to arrive picks.\n\n"
          "Next: {next_date} at {host.first}'s. Bring {bring}.",
          {"group": "word", "explain": ("ten", "fifteen", "twenty"), "game_a": "word", "start_cards": ("six", "seven"),
           "dodger": "person", "ordinal": ("second", "third", "fourth"), "next_date": "date", "host": "person",
           "bring": ("crisps", "a dessert", "snacks to share")},
          (("start_cards", "How many cards do you start with in {game_a}?", "what's our starting hand in {game_a}?"),
           ("explain", "How long can someone spend explaining the rules?", "What's the time limit on rules?"),
           ("dodger.first", "Who keeps trying to get out of packing away?", "Who's named in the packing-up rule?"),
           ("next_date", "When is the next games night?", "when are we playing next?"),
           ("host.first", "Whose house is games night at next?", "Who's hosting next time?")),
          ("How many players can play {game_a}?", "What time does games night start?", "Who won last time?")),
    Scene("cottage_welcome_book.md",
          "# Welcome to {cottage} Cottage!\n\n**Wi-Fi**: password {wifi}\n"
          "**Keys**: spare in the key safe by the back door (code {keysafe})\n"
          "**Logs**: in the store next to the {shed} shed\n**Bins**: black bin out {bin_day} night\n"
          "**Checkout**: by {checkout} please, so {cleaner.first} can clean for the next guests\n"
          "**Emergencies**: neighbour {neighbour} at no. {house_no} has a key, or ring us on {phone}.\nEnjoy! {owners}",
          {"cottage": "word", "wifi": ("seagull2019", "bluedoor88"), "keysafe": "code", "shed": "colour",
           "bin_day": "weekday", "checkout": ("10am", "11am"), "cleaner": "person", "neighbour": "person",
           "house_no": "small_number", "phone": "phone", "owners": ("Sue & Martin", "Gwen and Dai")},
          (("wifi", "What's the wifi password?", "what do I type in to get online?"),
           ("keysafe", "What's the code for the key safe?", "How do we get the spare key out?"),
           ("bin_day", "Which night do the bins go out?", "When should we put the black bin out?"),
           ("checkout", "What time do we have to leave by?", "When's checkout?"),
           ("neighbour", "Who nearby has a key?", "If we get locked out, who next door can help?")),
          ("Are dogs allowed?", "Where's the nearest supermarket?", "Is there a washing machine?")),
    Scene("campsite_info_sheet.txt",
          "{site} FARM CAMPSITE: INFO (please leave in the tent!)\nWarden: {warden}, caravan by the entrance\n"
          "SHOWERS: tokens {token} from reception, one token = {shower_mins}.\n"
          "QUIET: {quiet} till 7am. Fires only in braziers (hire {brazier}/night).\n"
          "WASTE: chemical toilet point is behind the {block} block.\nCHECK-OUT: by {checkout}.",
          {"site": "word", "warden": "person", "token": ("50p", "£1"), "shower_mins": ("5 minutes", "8 minutes"),
           "quiet": ("10pm", "10.30pm", "11pm"), "brazier": ("£5", "£8"), "block": ("Swallow", "Old Dairy"),
           "checkout": ("11am", "noon")},
          (("token", "How much are shower tokens?", "what do I need to pay for a shower?"),
           ("shower_mins", "How long does one shower token last?", "how long do I get per token?"),
           ("quiet", "When do quiet hours start?", "How late can we make noise until?"),
           ("warden", "Who's the warden?", "Who runs the site day to day?"),
           ("block", "Where do I empty the chemical loo?", "Which block is the waste point behind?")),
          ("Is there wifi on the campsite?", "Can we bring a dog?", "Where's the nearest pub?")),
    Scene("concert_e_tickets.eml",
          "From: Gigzone Tickets\nSubject: Your e-tickets: {artist}, Paper Moons Tour\n\n"
          "Hi {buyer.first}, you're going to see {artist}! 🎉\n\n{venue} Arena, {town}, {date}\n"
          "Doors {doors} | Support: {support} | {artist} on stage approx. {stage_time}\n"
          "Block 112, Row {row}, Seats {seats}\n\nTickets appear in the app {release} before the show; screenshots "
          "won't scan. Booking fee {fee}.",
          {"artist": "person", "buyer": "person", "venue": "word", "town": "town", "date": "date",
           "doors": ("6pm", "7pm"), "support": "word", "stage_time": ("8.45pm", "9.15pm"), "row": ("G", "M", "T"),
           "seats": ("23 & 24", "7 & 8"), "release": ("48 hours", "24 hours"), "fee": ("£3.50", "£4.25")},
          (("doors", "What time do doors open?", "When can we get in?"),
           ("stage_time", "What time is {artist} on?", "when does the main act start?"),
           ("support", "Who's the support act?", "Who's opening for {artist}?"),
           ("seats", "What are our seat numbers?", "which seats did I get?"),
           ("release", "How long before the gig do tickets show up?", "When will the tickets be in the app?")),
          ("How much were the tickets?", "Is there parking at the arena?", "What time does the gig finish?")),
    Scene("podcast_show_notes.md",
          "# Ep. {ep}: Below the Waterline, with {guest}\n\nThis week {host.first} talks to {guest.first}, who has "
          "spent {years} years restoring narrowboats on the {canal} Canal.\n\n**Timestamps**\n00:00 Intro & mail\n"
          "03:40 How it started: a boat bought on a whim in {year}\n{ts_gear} The one tool {guest.first} can't live "
          "without\n41:10 Quickfire round\n\n**Mentioned**: *The Slow Water Handbook* by {author}\n\n"
          "Next week: {next_topic}.",
          {"ep": ("47", "112", "203"), "guest": "person", "host": "person", "years": "small_number", "canal": "word",
           "year": ("1998", "2006", "2015"), "ts_gear": ("18:05", "21:30", "26:15"), "author": "person",
           "next_topic": ("building a coracle", "cast-iron pans")},
          (("guest", "Who's the guest this week?", "who is {host.first} talking to?"),
           ("canal", "Which canal does the guest work on?", "where are the boats restored?"),
           ("year", "When did {guest.first} buy the first boat?", "What year did it all start?"),
           ("ts_gear", "Where do I skip to for the bit about the tool?", "When do they talk tools?"),
           ("author", "Who wrote the book they mention?", "who's the author of The Slow Water Handbook?")),
          ("How do I support the show?", "How long is the episode?", "What day do new episodes come out?")),
    Scene("sunday_league_preview.md",
          "## {league} Sunday League, Division Two\n\n| Pos | Team | P | Pts |\n|---|---|---|---|\n"
          "| 1 | {top} | 14 | {top_pts} |\n| 2 | {second} | 14 | {second_pts} |\n| 3 | {us} FC | 14 | 28 |\n\n"
          "**Preview: {us} v {top}, Sunday, KO {ko} at {ground}**\n{striker} is back from suspension, and he's got "
          "{goals} goals this season, more than anyone in the division. {keeper.first}'s still out with the ankle so "
          "{sub_keeper.first} starts in goal again. Meet at the ground at {meet}, not a minute later.",
          {"league": "word", "top": "word", "top_pts": ("35", "37"), "second": "word", "second_pts": ("30", "32"),
           "us": "word", "ko": ("10.30am", "2pm"), "ground": ("the Rec", "Mill Lane"), "striker": "person",
           "goals": ("17", "22"), "keeper": "person", "sub_keeper": "person", "meet": ("9.45am", "1.15pm")},
          (("top", "Who's top of the league?", "which team is leading the division?"),
           ("second_pts", "How many points has the team in second got?", "What's second place on?"),
           ("ko", "What time's kick-off on Sunday?", "when does the game start?"),
           ("striker", "Who's the division's top scorer?", "Who's back from suspension?"),
           ("sub_keeper.first", "Who's in goal on Sunday?", "Who's playing keeper this weekend?")),
          ("Who's the referee?", "What was the score last time we played them?", "Who's the manager?")),
    Scene("climbing_induction.eml",
          "Subject: Your induction at {wall} Climbing\n\nHi {climber.first}, thanks for booking! Your session is on "
          "{date} at {time}, about {length}, with {instructor.first}.\n\n- Fill in the online waiver first.\n"
          "- Shoe hire is {shoe_hire}.\n\nAfterwards you can boulder on your own; roped climbing needs our belay "
          "course ({belay_price}). Off-peak entry (weekdays before {offpeak}) is {offpeak_price}.\n\nThe {wall} team",
          {"wall": "word", "climber": "person", "date": "date", "time": "time", "length": ("an hour", "90 minutes"),
           "instructor": "person", "shoe_hire": ("£3", "£4"), "belay_price": ("£45", "£55", "£65"),
           "offpeak": ("4pm", "5pm"), "offpeak_price": ("£8.50", "£9.50")},
          (("instructor.first", "Who's running my induction?", "who will be teaching me?"),
           ("shoe_hire", "How much is shoe hire?", "If I don't have climbing shoes, what will it cost?"),
           ("belay_price", "How much is the belay course?", "What do I pay to learn to climb with ropes?"),
           ("offpeak", "Until what time is it off-peak?", "When does peak pricing kick in on weekdays?"),
           ("length", "How long is the induction?", "How long will the session take?")),
          ("Is there a café at the wall?", "Can I bring my own harness?", "How much is peak entry?")),
    Scene("box_office_chat.txt",
          "[Live chat: {theatre} Theatre Box Office]\n{agent.first}: Hi, you're through to the box office!\n"
          "You: I've got tickets for {show} on Friday but can't make it. Can I swap to Saturday?\n"
          "{agent.first}: Saturday's nearly sold out, but I have two together in the {circle}, row {row}. Exchange "
          "fee is {exch_fee} a ticket.\nYou: Great, go for it.\n{agent.first}: Done! New booking ref is {ref}. "
          "Curtain up Saturday is {sat_time}.",
          {"theatre": "word", "agent": "person", "show": ("Blithe Spirits", "Snow Queen"),
           "circle": ("Upper Circle", "Dress Circle"), "row": ("C", "F", "K"), "exch_fee": ("£2", "£2.50", "£3"),
           "ref": "code", "sat_time": ("7.30pm", "7.45pm", "7pm")},
          (("circle", "Which part of the theatre are the new seats in?", "where are we sitting on Saturday?"),
           ("exch_fee", "How much does it cost to swap tickets?", "what's the exchange fee per ticket?"),
           ("ref", "What's my new booking reference?", "What's the reference for the Saturday booking?"),
           ("agent.first", "Who did I speak to at the box office?", "What was the name of the person on the chat?"),
           ("sat_time", "What time does the Saturday show start?", "When's curtain up on Saturday?")),
          ("Can I get a refund instead?", "How long is the show?", "Is there a bar in the circle?")),
    Scene("book_festival_sunday.md",
          "# {town} Book Festival: Sunday\n\n| Time | Event | Venue | Tickets |\n|---|---|---|---|\n"
          "| 11:30 | {novelist} in conversation | {venue_a} | {price_a} |\n"
          "| 14:00 | Poetry slam final, hosted by {mc.first} | The {pub} Arms | {price_b} |\n"
          "| 16:00 | Writing the Coast: a walk & talk | Harbour | {price_c} |\n\n"
          "Books from the festival bookshop, run by {bookseller}.",
          {"town": "town", "novelist": "person", "venue_a": ("St Mary's Church", "the Corn Exchange"),
           "price_a": ("£8", "£10", "£12"), "mc": "person", "pub": "word", "price_b": ("£4", "£5"),
           "price_c": ("£7", "£9", "£15"), "bookseller": "person"},
          (("novelist", "Who's in conversation on Sunday morning?", "Which author is on at half eleven?"),
           ("venue_a", "Where is the {novelist} event?", "Where do I go for the author talk?"),
           ("mc.first", "Who's hosting the poetry slam?", "who's the compere for the slam final?"),
           ("price_c", "How much is the coastal walk?", "What do tickets cost for the walk and talk?"),
           ("bookseller", "Who runs the festival bookshop?", "who's selling the books at the festival?")),
          ("Which events are on Saturday?", "Is there parking near the harbour?", "Who won last year's slam?")),
    Scene("dance_school_timetable.md",
          "**{school} School of Dance: Summer Term**\n\n| Class | Day | Time | Teacher |\n|---|---|---|---|\n"
          "| Baby Ballet | Saturday | 9:00 | Miss {teach_a.first} |\n| Tap Grade 1 | {tap_day} | 4:30 | Mr "
          "{teach_b.last} |\n| Street (8+) | {street_day} | 5:30 | {teach_c.first} |\n"
          "| Adult Tap | Wednesday | {adult_time} | Mr {teach_b.last} |\n\n"
          "Fees are {fees} per class per term, due by {due}. Show rehearsals start in {month}!",
          {"school": "word", "teach_a": "person", "tap_day": ("Monday", "Tuesday"), "teach_b": "person",
           "street_day": ("Thursday", "Friday"), "teach_c": "person", "adult_time": ("7pm", "7.30pm", "8pm"),
           "fees": ("£48", "£55", "£62"), "due": "day_month", "month": ("May", "June")},
          (("teach_b.last", "Who teaches tap?", "who takes the adult tap class?"),
           ("tap_day", "Which day is Tap Grade 1?", "what day does my son do his tap grade?"),
           ("adult_time", "What time is adult tap?", "When's the grown-ups' tap class?"),
           ("fees", "How much is a term?", "what do I pay per class each term?"),
           ("teach_c.first", "Who teaches street dance?", "who runs the street class?")),
          ("Where is the summer show?", "Can my child try a class for free?", "How much is the uniform?")),
    Scene("five_a_side_chat.txt",
          "[Footy 5s]\n[18:02] {org.first}: Booked for {day} {kick}, usual place, pitch {cage}. Who's in?\n"
          "[18:05] {p1.first}: in\n[18:06] {p2.first}: in but might be 10 mins late\n"
          "[18:11] {p3.first}: can't, knee's still bad\n[18:15] {org.first}: that's {count} so far, need 10. {each} "
          "each, send it to me\n[18:40] {p4.first}: 👍 bringing my mate {guest.first}\n"
          "[19:02] {org.first}: correction lads, kick off is {new_kick} not {kick}, they've moved us",
          {"org": "person", "day": ("Thursday", "Wednesday"), "kick": ("7pm", "8pm"), "cage": ("3", "5", "6"),
           "p1": "person", "p2": "person", "p3": "person", "count": ("six", "seven"), "each": ("£5", "£6", "£7"),
           "p4": "person", "guest": "person", "new_kick": ("7.30pm", "8.30pm", "9pm")},
          (("new_kick", "What time is footy?", "when's kick off now?"),
           ("each", "How much is it each?", "what do I owe for this week?"),
           ("p3.first", "Who can't make it?", "who's out injured this week?"),
           ("guest.first", "Who's {p4.first} bringing?", "What's the name of the extra player coming?"),
           ("p2.first", "Who said they'd be late?", "who's going to turn up after kick off?")),
          ("Where's the usual place?", "Who's playing in goal?", "How long is the pitch booked for?")),
    Scene("shepherds_hut_arrival.txt",
          "Hi {guest.first}, it's {owner.first} from {farm} Farm 👋 Looking forward to having you in the shepherd's "
          "hut tomorrow!\n\nYou can arrive from {arrive}. Ignore the sat nav down the track past the church, it's far "
          "too narrow. Park by the {colour} barn; the hut's a two-minute walk across the field. Key's under the plant "
          "pot. Eggs in the fridge are from our hens ({hen} laid the brown ones, she's very proud).\n\n"
          "Checkout {checkout}. Any problems ring me on {phone}.",
          {"guest": "person", "owner": "person", "farm": "word", "arrive": ("3pm", "4pm", "2pm"), "colour": "colour",
           "hen": ("Doris", "Mabel", "Pearl", "Hilda"), "checkout": ("10am", "10.30am", "11am"), "phone": "phone"},
          (("arrive", "What time can we check in?", "When are we allowed to turn up?"),
           ("colour", "Which barn do we park by?", "what colour's the barn we park next to?"),
           ("hen", "Which hen laid the brown eggs?", "what's the name of the hen with the brown eggs?"),
           ("checkout", "When do we have to be out of the hut?", "what's checkout?"),
           ("owner.first", "Who's the host?", "Who owns the shepherd's hut?")),
          ("Is the hut dog-friendly?", "Is there a shower in the hut?", "How far is the nearest pub?")),
    Scene("pool_timetable.txt",
          "{centre} POOL: PUBLIC SWIMMING\nMon-Fri 06:30-08:30  Lanes (slow / medium / fast)\n"
          "Tue & Thu {ladies}  Women-only\nSat {fun}  Inflatables (under-8s with an adult)\n"
          "Sun 08:00-12:00  General swim\n\nAdult {adult}, junior {junior}, under-3s free.\n"
          "The main pool is closed on {closed_date} for the {club} Swimming Club gala.",
          {"centre": "word", "ladies": ("19:00-20:00", "20:00-21:00"), "fun": ("14:00-15:30", "13:00-14:30"),
           "adult": ("£4.80", "£5.60"), "junior": ("£2.60", "£3.10"), "closed_date": "date", "club": "word"},
          (("ladies", "When is the women-only swim?", "What time's ladies' swimming on Tuesdays?"),
           ("fun", "What time is the inflatable session?", "when can the kids go on the inflatables?"),
           ("adult", "How much is an adult swim?", "What does it cost me to swim?"),
           ("junior", "How much for a child?", "what's the junior price?"),
           ("closed_date", "When is the main pool closed?", "Which day is the pool shut for the gala?")),
          ("Is there a family ticket?", "Are there adult swimming lessons?", "What temperature is the pool?")),
)
