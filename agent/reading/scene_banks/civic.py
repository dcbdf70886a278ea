"""Civic paperwork: council, school, library, surgery and transport notices people read and ask about."""

from agent.reading.scenes import Scene

_LANDLINE = ("01632 960418", "01632 960733", "01632 960251", "01632 960986")

SCENES: tuple[Scene, ...] = (
    Scene("planning_notice.txt", "TOWN AND COUNTRY PLANNING ACT 1990\n{town} District Council - Notice of Planning "
          "Application\n\nApplication ref: {ref}\nSite: {site}\nProposal: {proposal}\nApplicant: {applicant}\n\nThe "
          "plans can be viewed online or at the Council Offices, {office}, Mon-Fri 9am-4.30pm. Anyone wishing to "
          "comment should write to the case officer, {officer}, quoting the reference, no later than {deadline}. Late "
          "comments may not be considered. All comments are published online.\n\nDated: {dated}",
          {"town": "town", "ref": ("24/01187/FUL", "25/00342/HH", "24/02215/LBC", "25/00918/FUL"), "site": "street",
           "proposal": ("Rear extension and roof lights", "Shop to flats conversion", "Detached garage and workshop"),
           "applicant": "person", "office": "street", "officer": "person", "deadline": "date", "dated": "date"},
          (("officer", "Who do I send my objection to?", "Who's the planning officer dealing with this one?"),
           ("deadline", "What's the last day I can comment on the application?", "how long have I got to object?"),
           ("site", "Where's the building work going to be?", "Which address is the planning application for?"),
           ("ref", "What reference do I put on my letter?", "what's the application number?"),
           ("proposal", "What do they want to build?", "What's being proposed at the site?")),
          ("When will the council decide?", "Can I speak at committee?", "Has the applicant applied before?")),
    Scene("full_council_notice.txt", "{town} TOWN COUNCIL\n\nNOTICE IS HEREBY GIVEN that a meeting of the Full "
          "Council will be held in {room}, Town Hall, on {date} at {time}. The public and press are welcome.\n\n"
          "Councillors: Cllr {mayor} (Mayor), Cllr {deputy} (Deputy Mayor), Cllr {finance} (Chair, Finance "
          "Committee)\n\nPublic participation: up to {mins} are set aside at the start of the meeting for residents' "
          "questions. Tell the Clerk by noon the day before if you wish to speak.\n\n{clerk}\nTown Clerk",
          {"town": "town", "room": "room", "date": "date", "time": "time", "mayor": "person", "deputy": "person",
           "finance": "person", "mins": ("15 minutes", "20 minutes", "30 minutes"), "clerk": "person"},
          (("mayor", "Who's the mayor of {town}?", "Who is mayor at the moment?"),
           ("room", "Which room is the council meeting in?", "where in the town hall do I go for the meeting?"),
           ("clerk", "Who should I tell if I want to ask a question at the meeting?", "Who's the town clerk?"),
           ("mins", "How long do residents get for questions?", "how much time is there for the public to speak?"),
           ("finance", "Which councillor looks after the money side?", "Who chairs the finance committee?")),
          ("Is there parking at the Town Hall?", "Will the meeting be streamed online?", "What's on the agenda?")),
    Scene("christmas_bins.md", "# Christmas and New Year bin collections\n\nCollections move over the festive period. "
          "Find your usual day below and put your bin out by 7am on the new day.\n\n| Usual collection day | Revised "
          "collection day |\n|---|---|\n| Wednesday 24 December | Wednesday 24 December (no change) |\n| Thursday 25 "
          "December | {thu} |\n| Friday 26 December | {fri} |\n| Thursday 1 January | {jan1} |\n\nCollections return "
          "to normal from {normal}. Extra cardboard, flattened and next to your bin, will be taken on your first "
          "collection after Christmas. Real trees are collected free on {tree_day} - cut them up first.",
          {"thu": ("Saturday 27 December", "Sunday 28 December"), "fri": ("Monday 29 December", "Tuesday 30 December"),
           "jan1": ("Friday 2 January", "Saturday 3 January"), "normal": ("Monday 5 January", "Monday 12 January"),
           "tree_day": ("Saturday 10 January", "Saturday 17 January")},
          (("thu", "My bins normally go on Christmas Day - when will they be picked up?",
            "If my usual day is Thursday 25 December, when should I put the bin out?"),
           ("jan1", "When's the New Year's Day collection moved to?", "bins are due on 1 January, what's the new day?"),
           ("fri", "What's the revised day for Boxing Day collections?", "my day is the 26th - when do they come?"),
           ("normal", "When do collections go back to normal?", "from what date are bins back on the usual days?"),
           ("tree_day", "When can I get rid of my Christmas tree?", "when do they take real trees away?")),
          ("Is the tip open on Christmas Eve?", "Do they collect artificial trees?", "What if my bin was missed?")),
    Scene("recycling_guide.txt", "WHAT GOES WHERE? Your recycling guide\n\n{paper} bin - paper and card: newspapers, "
          "magazines, cereal boxes, flattened delivery boxes. No greasy pizza boxes!\n{mixed} bin - cans, tins, "
          "plastic bottles, tubs and trays. Give them a quick rinse, lids back on.\n{glass} box - glass bottles and "
          "jars only. No drinking glasses, Pyrex or light bulbs.\n{food} caddy - all food waste, cooked or raw, "
          "including tea bags and bones. Line it with newspaper or compostable liners.\n\nRecycling is collected "
          "{freq}. Batteries: in a carrier bag next to your {glass} box.",
          {"paper": ("Blue", "Purple"), "mixed": ("Green", "Red"), "glass": ("Black", "Orange"),
           "food": ("Brown", "Silver"), "freq": ("every week", "every fortnight", "every other week")},
          (("glass", "Which box do jam jars go in?", "what colour is the glass box?"),
           ("food", "Where do I put leftover food?", "Which caddy takes used tea bags?"),
           ("paper", "What colour bin is for cardboard?", "where do old newspapers go?"),
           ("mixed", "Which bin takes tins and plastic bottles?", "I've got empty drinks cans, which bin?"),
           ("freq", "How often is recycling collected?", "Do they take the recycling every week or what?")),
          ("Can I recycle polystyrene?", "What day is my recycling collected?", "Where's the nearest tip?")),
    Scene("garden_waste_renewal.txt", "Garden waste subscription - renewal reminder\nAccount no: {acct}\n\nDear "
          "{resident},\n\nYour garden waste subscription runs out on {expiry}. To keep your brown bin emptied, please "
          "renew online or by phone on {phone}. The charge for the coming year is {price} per bin ({discount} if you "
          "pay by Direct Debit). Once you have paid, a new permit sticker will be posted to you; please stick it on "
          "the lid.\n\nIf you no longer want the service you don't need to do anything - we will collect the bin "
          "after your subscription ends.\n\nYours sincerely,\n{manager}\nWaste Services Manager",
          {"acct": "code", "resident": "person", "expiry": "date", "phone": _LANDLINE, "price": ("£45", "£52", "£58"),
           "discount": ("£40", "£47", "£49"), "manager": "person"},
          (("expiry", "When does my garden waste subscription end?", "when does my brown bin permit run out?"),
           ("price", "What's the standard charge per bin, not by direct debit?", "how much to renew by card?"),
           ("discount", "How much is it if I pay by direct debit?", "what's the cheaper direct debit price?"),
           ("phone", "What number do I ring to renew?", "Can I renew over the phone - what's the number?"),
           ("manager", "Who signed the garden waste letter?", "Who runs waste services?")),
          ("Can I have a second brown bin?", "What day is garden waste collected?", "Can I pay by cheque?")),
    Scene("library_hours.md", "## {town} Library - opening hours\n\n| Day | Hours |\n|---|---|\n| Monday | closed |\n"
          "| Tuesday | 9am - {tue} |\n| Wednesday | 9am - 5pm |\n| Thursday | {thu_open} - 5pm |\n| Friday | 9am - "
          "5pm |\n| Saturday | 9am - {sat} |\n| Sunday | closed |\n\nPlease note the library will be closed all day "
          "on {closed_day} for staff training. Books can be returned through the drop box by the side door at any "
          "time.\n\nFree Wi-Fi: join the network {wifi}, password on the card at the desk. Manager: {mgr}",
          {"town": "town", "tue": ("7pm", "8pm"), "thu_open": ("10am", "1pm", "11am"),
           "sat": ("12.30pm", "4pm", "noon"), "closed_day": "date", "wifi": "word", "mgr": "person"},
          (("tue", "How late is the library open on Tuesdays?", "what time does it shut on a tuesday?"),
           ("thu_open", "When does the library open on Thursday?", "If I go on Thursday, what time can I get in?"),
           ("sat", "What time does the library close on Saturday?", "Saturday closing time?"),
           ("closed_day", "Which day is the library shut for staff training?", "when's the training closure?"),
           ("wifi", "What's the library Wi-Fi called?", "Which network do I connect to at the library?")),
          ("Is the library open on bank holidays?", "How many books can I borrow?", "What's the Wi-Fi password?")),
    Scene("borrowing_changes.txt", "NOTICE TO ALL BORROWERS\n\nFrom {start}, {town} Libraries no longer charge "
          "overdue fines on adult books. We still want them back! You can now borrow up to {items} items at once on "
          "an adult card (children's cards: {kids}), and loans are for {loan}. Renew online, by phone or at any "
          "branch - unless someone else has reserved the item.\n\nReservations cost {reserve} each for items in stock "
          "anywhere in the county (free for children). Lost items are charged at cost.\n\nAudiobooks and eBooks: get "
          "the free {app} app and log in with your card number.\n\nQuestions? Ask {staff.first} on the desk.",
          {"start": "date", "town": "town", "items": ("fifteen", "twenty", "twelve"), "kids": ("eight", "ten"),
           "loan": ("three weeks", "four weeks"), "reserve": ("50p", "80p"), "app": "word", "staff": "person"},
          (("items", "How many books can I take out at once as an adult?", "what's the limit on a grown-up card?"),
           ("kids", "How many things can my daughter borrow on her children's card?", "what's the kids' limit?"),
           ("loan", "How long can I keep a book?", "what's the loan period?"),
           ("reserve", "What does it cost an adult to put a book on hold?", "how much is a reservation?"),
           ("app", "Which app do I use for eBooks?", "what's the audiobook app called?")),
          ("Are DVDs still fined?", "How much is a new library card?", "Can I return books to another branch?")),
    Scene("practice_leaflet.md", "# {practice} Medical Practice - Patient Information\n\n**Opening hours:** Monday to "
          "Friday 8am-6.30pm. Extended hours: {late_day} evenings until {late_time} (pre-booked appointments only).\n"
          "\n**Our team**\n- Dr {gp1} (Senior Partner)\n- Dr {gp2} (GP Partner, women's health)\n- {nurse} (Practice "
          "Nurse)\n- {manager} (Practice Manager)\n\n**Repeat prescriptions** - please allow {rx}. Order through the "
          "NHS App or drop the slip in the box in reception. We do not take requests by phone.\n\n**When we're "
          "closed** ring 111. Complaints go to the Practice Manager in writing.",
          {"practice": "word", "late_day": ("Tuesday", "Thursday"), "late_time": ("8pm", "8.30pm", "7.45pm"),
           "gp1": "person", "gp2": "person", "nurse": "person", "manager": "person",
           "rx": ("two working days", "three working days")},
          (("gp1", "Who's the senior doctor at the practice?", "which GP is the senior partner?"),
           ("gp2", "Which doctor should I see about women's health?", "who's the GP for women's health issues?"),
           ("manager", "Who do I write to if I want to complain?", "who runs the surgery day to day?"),
           ("late_day", "Which evening is the surgery open late?", "What day can I get an evening appointment?"),
           ("rx", "How many days' notice do they need for a repeat prescription?", "how long do repeats take?")),
          ("Does the surgery do home visits?", "Can I get a same-day appointment?", "Is there parking?")),
    Scene("pharmacy_leaflet.txt", "{pharmacy} PHARMACY - {street}\nYour local pharmacy, open 7 days\n\nFLU JABS ARE "
          "BACK! Walk in {flu_days} or book a slot with {pharmacist.first}. Free for over-65s, pregnant women and "
          "carers; everyone else {flu_price}.\n\nPharmacy First: we can now treat sore throats, earache, sinusitis, "
          "shingles, infected insect bites and urine infections in women - no GP appointment needed.\n\nSunday hours: "
          "{sun}\nPharmacist: {pharmacist} (ask for the private consultation room any time)",
          {"pharmacy": "word", "street": "street", "pharmacist": "person", "flu_price": ("£16.99", "£18", "£14.50"),
           "flu_days": ("on Tuesday mornings", "any weekday afternoon"), "sun": ("10am to 4pm", "11am to 3pm")},
          (("flu_price", "How much is a flu jab if I'm not eligible for a free one?", "what do I pay for a flu jab?"),
           ("pharmacist", "Who's the pharmacist?", "Who runs the pharmacy counter there?"),
           ("sun", "What are the Sunday opening times?", "when is the chemist open on a Sunday?"),
           ("flu_days", "When can I just turn up for a flu jab without booking?", "when are walk-in flu jabs?"),
           ("pharmacy", "What's the pharmacy called?", "Which chemist is this leaflet from?")),
          ("Do they do COVID boosters?", "Can they deliver my prescription?", "Are they open on Christmas Day?")),
    Scene("term_dates.md", "# {school} Primary School - Term dates 2025-26\n\n| Term | Starts | Half term | Ends |\n"
          "|---|---|---|---|\n| Autumn | Wednesday 3 September | 27-31 October | {aut_end} |\n| Spring | {spr_start} "
          "| 16-20 February | Friday 27 March |\n| Summer | Monday 13 April | {sum_half} | {sum_end} |\n\nINSET days "
          "(school closed to pupils): Tuesday 2 September, {inset} and Monday 1 June.\n\nTerm-time leave is only "
          "granted in exceptional circumstances - requests to the Headteacher, {head}, on the form from the office.",
          {"school": "word", "aut_end": ("Friday 19 December", "Thursday 18 December"),
           "spr_start": ("Monday 5 January", "Tuesday 6 January"), "sum_half": ("26-29 May", "25-29 May"),
           "sum_end": ("Tuesday 21 July", "Wednesday 22 July", "Friday 17 July"),
           "inset": ("Friday 14 November", "Friday 13 February", "Monday 23 February"), "head": "person"},
          (("aut_end", "When do the kids break up for Christmas?", "What's the last day of the autumn term?"),
           ("spr_start", "When does school go back after Christmas?", "first day of the spring term?"),
           ("sum_half", "When's the May half term?", "which week is half term in the summer term?"),
           ("sum_end", "When does the school year finish?", "When do they break up for the summer holidays?"),
           ("head", "Who do I ask for time off in term time?", "Who's the head at {school}?")),
          ("Is there a breakfast club?", "What time does the school day start?", "When is sports day?")),
    Scene("reception_admissions_faq.txt", "STARTING SCHOOL IN SEPTEMBER - Reception admissions FAQ\n\nQ: When do I "
          "apply?\nA: Applications open on {open} and must be in by {deadline}. Late ones are looked at last.\n\nQ: "
          "How many places are there?\nA: Our admission number is {pan}. Last year we were oversubscribed and the "
          "furthest place offered went to a child living {dist} from the school gate.\n\nQ: Can we look round?\nA: "
          "Yes - open mornings are on {tour1} and {tour2} at {tour_time}. Ring the office to book.\n\nQ: When will I "
          "hear?\nA: National offer day is {offer}. You'll get an email from the council, not from us.",
          {"open": "day_month", "deadline": "day_month", "pan": ("30", "45", "60", "90"),
           "dist": ("0.8 miles", "1.2 miles", "640 metres", "0.6 miles"), "tour1": "date", "tour2": "date",
           "tour_time": ("9.15am", "9.30am", "10am"), "offer": "day_month"},
          (("deadline", "What's the closing date for reception applications?", "by when does our form have to be in?"),
           ("pan", "How many children do they take into reception?", "how many reception places are there?"),
           ("dist", "How far away did the last child offered a place live?", "What was the cut-off distance?"),
           ("offer", "When do we find out which school we got?", "when's offer day?"),
           ("tour_time", "What time are the open mornings?", "what time should we come to look round?")),
          ("Do siblings get priority?", "Is there a school uniform grant?", "Can I appeal if we don't get a place?")),
    Scene("consultation_leaflet.md", "# Have your say: {area} parking and 20mph proposals\n\nWe're proposing to:\n- "
          "bring in a 20mph limit on all residential streets in {area}\n- introduce a residents' parking zone (Zone "
          "{zone}), 8am-6pm Mon-Sat\n- add {points} electric vehicle charge points in the {carpark} car park\n\n"
          "**Drop-in sessions** - talk to the project team:\n- {drop1}, 3pm-7pm, {venue}\n- {drop2}, 10am-1pm, "
          "{venue}\n\nResponses close at midnight on {close}.\nProject lead: {lead}",
          {"area": "town", "zone": ("K2", "M4", "T1"), "points": "number_word", "carpark": "word", "drop1": "date",
           "venue": "room", "drop2": "date", "close": "date", "lead": "person"},
          (("close", "When's the deadline to respond to the consultation?", "what's the last day for the survey?"),
           ("zone", "What would the new parking zone be called?", "which zone is proposed for residents' parking?"),
           ("points", "How many EV chargers are they planning?", "how many car charging points would be added?"),
           ("venue", "Where are the drop-in sessions?", "Where can I go to talk to someone about the plans?"),
           ("drop1", "When's the afternoon drop-in?", "Which day can I come along between 3 and 7?")),
          ("How much would a permit cost?", "When would the 20mph limit start?", "Will there be speed bumps?")),
    Scene("poll_card.txt", "OFFICIAL POLL CARD\n{town} Borough Council - Election of Councillors\n\nElector number: "
          "{elector}\n{voter}\n{home}\n\nDate of election: {poll_date}\nPolling station: {station}\nHours of poll: "
          "7am to 10pm\n\nYou don't need to take this card with you, but you WILL need to show accepted photo ID, "
          "such as a passport or driving licence. If you don't have any, apply for a free Voter Authority Certificate "
          "by 5pm on {vac}.\n\nWant to vote by post instead? Apply by 5pm on {postal}.\n\n{ro}, Returning Officer",
          {"town": "town", "elector": ("KA-1412", "WB2-0388", "NC3-227", "HT1-0915"), "voter": "person",
           "home": "street", "poll_date": ("Thursday 7 May", "Thursday 1 May", "Thursday 6 May"),
           "station": ("St Anne's Church Hall", "Orchard Road Scout Hut", "Brookfield Primary School"),
           "vac": ("Monday 27 April", "Tuesday 15 April", "Wednesday 22 April"),
           "postal": ("Friday 17 April", "Thursday 16 April", "Monday 14 April"), "ro": "person"},
          (("station", "Where do I go to vote?", "where's my polling station?"),
           ("poll_date", "When is the election?", "what day do I vote?"),
           ("elector", "What's my elector number?", "What number is on my poll card?"),
           ("vac", "I don't have a passport or driving licence - by when must I apply for the free voter ID?",
            "What's the deadline for a Voter Authority Certificate?"),
           ("postal", "When do I have to apply for a postal vote by?", "last day to sign up to vote by post?")),
          ("Who are the candidates?", "Can I vote by proxy?", "Is the polling station wheelchair accessible?")),
    Scene("road_closure.txt", "TEMPORARY ROAD CLOSURE - {road} Road, {town}\n\nTo allow {works} to be carried out "
          "safely, {road} Road will be closed between {j1} Street and {j2} Lane from {start} for approximately {dur}. "
          "This is the {phase} and final phase of the works. The road will be shut 24 hours a day.\n\nDiversion: via "
          "{j1} Street, {div} Avenue and {j2} Lane (signed).\nAccess for residents and emergency vehicles will be "
          "kept where possible, but there is no parking on the closed section. The {bus} bus will not serve the "
          "{stop} stop while the road is shut.\n\nContractor: {contractor} Utilities - 24-hour helpline {phone}",
          {"road": "word", "town": "town", "works": ("gas main replacement", "resurfacing", "sewer repairs"),
           "j1": "word", "j2": "word", "start": "date", "dur": ("three weeks", "ten days", "six weeks"),
           "phase": "ordinal", "div": "word", "bus": ("X4", "27A", "14B"), "contractor": "word",
           "stop": ("Post Office", "Library", "War Memorial"), "phone": _LANDLINE},
          (("dur", "How long will the road be shut?", "how long are the roadworks going on for?"),
           ("works", "Why is {road} Road closed?", "What are they actually doing to the road?"),
           ("div", "Which avenue does the signed diversion use?", "what avenue do I go round by?"),
           ("stop", "Which bus stop won't be used during the works?", "Which stop is the {bus} skipping?"),
           ("phase", "Which phase of the works is this?", "what stage are the roadworks at - which phase?")),
          ("Will bins still be collected on the closed bit?", "Can cyclists get through?", "Will they work at night?")),
    Scene("bus_service_change.txt", "Dear passenger,\n\nChanges to service {route} from {change_date}\n\nWe're "
          "writing to let you know about changes to the {route} between {town} and {town2}. After a review we will:\n"
          "- run every {freq} during the day (currently every {old_freq});\n- no longer serve {stop}; the nearest "
          "stop will be {alt_stop}, about {walk} walk away;\n- move the last departure from {town} bus station to "
          "{last_bus}.\n\nSunday services are unchanged. New timetables will be on the buses from {tt_date}. Weekly "
          "tickets stay valid.\n\nSorry for any inconvenience,\n{manager}\nCommercial Manager, {company} Buses",
          {"route": ("X14", "31A", "61B", "X9"), "change_date": "date", "town": "town", "town2": "town",
           "freq": ("20 minutes", "30 minutes"), "old_freq": ("15 minutes", "12 minutes"),
           "stop": ("Hollins Estate", "Grange Crescent", "the hospital main entrance"),
           "alt_stop": ("Hollins Road", "Grange Park shops", "Vale Road"), "walk": ("a two-minute", "a five-minute"),
           "last_bus": ("10.15pm", "11.05pm", "9.40pm"), "tt_date": "date", "manager": "person", "company": "word"},
          (("freq", "How often will the bus run after the change?", "How frequent will the {route} be in the daytime?"),
           ("old_freq", "How often does the bus run at the moment?", "what's the current frequency?"),
           ("last_bus", "What time's the last bus from {town} going to be?", "when will the final departure leave?"),
           ("alt_stop", "My stop is being dropped - where should I catch the bus instead?",
            "where's the nearest stop instead?"),
           ("change_date", "When do the changes start?", "From when is the new timetable running?")),
          ("How much is a weekly ticket?", "Does the bus take concession passes?", "Is the first bus changing?")),
    Scene("leisure_prices.md", "# {centre} Leisure Centre - Prices from {valid}\n\n| Activity | Adult | Junior (under "
          "16) | Concession |\n|---|---|---|---|\n| Swim (casual) | {swim_a} | {swim_j} | £3.20 |\n| Gym (pay as you "
          "go) | {gym_a} | - | £4.50 |\n| Badminton court (per hour) | {badm} | £6.00 | £8.00 |\n| Fitness class | "
          "{class_a} | - | £4.80 |\n\nMonthly membership (gym, swim and classes): {monthly} by Direct Debit, no "
          "joining fee in {month}.\nConcessions: over-60s, students and anyone on means-tested benefits - bring "
          "proof.\nUnder-5s swim free with a paying adult (two per adult).",
          {"centre": "word", "valid": "date", "swim_a": ("£5.40", "£5.85", "£6.10"), "swim_j": ("£2.95", "£3.50"),
           "gym_a": ("£8.50", "£9.25", "£7.90"), "badm": ("£11.80", "£12.40", "£10.60"),
           "class_a": ("£6.75", "£7.20", "£6.40"), "monthly": ("£32.99", "£38.50", "£29.99"), "month": "month"},
          (("swim_j", "How much is it for my 12-year-old to go swimming?", "what's the junior swim price?"),
           ("gym_a", "What does a single gym session cost an adult?", "how much is the gym if I just pay each time?"),
           ("badm", "How much is it for an adult to hire a badminton court for an hour?", "adult badminton price?"),
           ("monthly", "How much is the monthly membership?", "what's the all-in direct debit price?"),
           ("month", "When is there no joining fee?", "which month can I join without paying a joining fee?")),
          ("Is there a family swim ticket?", "What time does the pool open?", "Do I need to book badminton?")),
    Scene("council_tax_bill.txt", "{town} District Council\nCOUNCIL TAX BILL 2026/27\n\nAccount reference: {acct}\n"
          "Property: {prop}\nValuation band: {band}\nTotal due for the year: {annual}\n\nYou pay by Direct Debit. The "
          "amount will be collected in {inst} monthly instalments, on or just after the {dd_day} of each month, "
          "starting in April.\n\nMoving house? Please tell us at least {notice} before you go so we can close your "
          "account. If you think your band is wrong you can ask the Valuation Office Agency to look at it again.",
          {"town": "town", "acct": ("40071835", "40293318", "41520764"), "prop": "street",
           "band": ("Band A", "Band B", "Band C", "Band D"), "annual": ("£1,684.20", "£1,932.55", "£2,147.08"),
           "inst": ("ten", "twelve"), "dd_day": ("1st", "15th", "28th"), "notice": ("two weeks", "21 days", "a month")},
          (("band", "What council tax band is my house in?", "which band are we?"),
           ("annual", "How much council tax do I owe this year in total?", "what's the yearly bill?"),
           ("inst", "How many payments is the bill split into?", "How many instalments am I paying?"),
           ("dd_day", "What day of the month does the direct debit come out?", "when's the payment taken each month?"),
           ("acct", "What's my council tax account number?", "Which reference do I quote if I ring up?")),
          ("How do I get a single person discount?", "What if I miss a payment?", "How much goes to the police?")),
    Scene("parking_permit_email.txt", "Subject: Your resident parking permit - Zone {zone}\n\nDear {resident},\n\n"
          "Thank you for your application. Your permit for vehicle {reg} has been approved and is valid from {start} "
          "until {expiry}. The charge of {fee} has been taken from your card. You do not need to display a paper "
          "permit - our officers check registrations electronically.\n\nVisitor permits cost {vis_fee} for a book of "
          "ten through your online account.\n\nKind regards,\nParking Services\n\n-----\nCorrection: apologies, the "
          "email above gave the wrong expiry date. Your permit expires on {new_expiry}, not {expiry}.",
          {"zone": ("C2", "F3", "H4"), "resident": "person", "reg": ("KX19 ZPT", "YH21 DMK"), "start": "date",
           "expiry": "date", "fee": ("£55", "£68"), "vis_fee": ("£12", "£15"), "new_expiry": "date"},
          (("new_expiry", "When does my parking permit run out?", "What's the actual expiry date on my permit?"),
           ("reg", "Which car is the permit for?", "what reg is the permit registered to?"),
           ("fee", "How much did the resident permit cost me?", "what was I charged for the permit?"),
           ("vis_fee", "How much is a book of visitor permits?", "what do visitor permits cost?"),
           ("zone", "Which parking zone am I in?", "what zone is my permit for?")),
          ("Can I get a permit for a second car?", "Where can my visitors park?", "Is it cheaper for electric cars?")),
    Scene("noticeboard.txt", "~~ {town} NOTICEBOARD (outside the post office) ~~\n\nLOST CAT - {cat}, {colour} with a "
          "white bib, very friendly, answers to her name (sometimes). Last seen near {street}. Please ring "
          "{owner.first} on {phone}!!\n\n*** Community Choir *** No auditions, no experience needed. {choir_day}s "
          "7.30pm, {venue}. First session free. Contact {choir_lead}.\n\nFOR SALE: child's bike, 16in wheels, hardly "
          "used, {bike} ono. Knock at No. {house}.\n\nLitter pick this Sunday - meet at the war memorial at 10am. "
          "Gloves and grabbers provided. Thanks to everyone who came last time, we filled {bags} bags!",
          {"town": "town", "cat": "word", "colour": ("tabby", "ginger", "black", "grey"), "street": "street",
           "owner": "person", "phone": "phone", "choir_day": "weekday", "venue": "room", "choir_lead": "person",
           "bike": ("£25", "£30", "£15"), "house": "small_number", "bags": "number_word"},
          (("cat", "What's the lost cat called?", "what name does the missing cat answer to?"),
           ("phone", "What number do I ring if I find the cat?", "how do I get hold of the cat's owner?"),
           ("choir_day", "Which night does the choir meet?", "what day is choir practice?"),
           ("bike", "How much do they want for the kid's bike?", "what's the asking price for the bike?"),
           ("bags", "How many bags of rubbish did they collect at the last litter pick?", "how many bags last time?")),
          ("When does the litter pick end?", "What does choir cost after the free week?", "What colour is the bike?")),
    Scene("hall_door_notice.txt", "NOTICE\n\nThe hall is CLOSED from {close_from} while the new floor is laid.\nAll "
          "bookings in that time have moved to {alt_venue} - same days, same times. Toddler group is in the Scout hut "
          "instead.\nWe hope to reopen on {reopen_old}.\n\nKeys for the cupboard are with {caretaker.first} "
          "({caretaker}) - ring {phone} if you need anything.\n\n[added in biro:] UPDATE - floor delayed, the "
          "supplier sent the wrong wood!! Now reopening {reopen_new}. Sorry all - {caretaker.first}",
          {"close_from": "date", "alt_venue": ("the Methodist church hall", "the school hall", "the cricket pavilion"),
           "reopen_old": "date", "caretaker": "person", "phone": "phone", "reopen_new": "date"},
          (("reopen_new", "When is the hall opening again?", "when can we get back into the hall?"),
           ("alt_venue", "Where have the bookings moved to?", "my class is normally in the hall - where do we go?"),
           ("caretaker", "Who's got the keys?", "Who wrote the update about the floor?"),
           ("close_from", "When does the hall close?", "from when is the hall shut?"),
           ("phone", "What number do I call about the hall?", "how do I contact the caretaker?")),
          ("How much is the new floor costing?", "Is the car park still open?", "What time is toddler group?")),
    Scene("council_webchat.txt", "[Chat started] You are talking to {agent.first} from {town} Council Customer "
          "Services.\n{agent.first}: Hi, how can I help today?\nYou: hi my recycling wasn't collected yesterday, "
          "everyone else's on the street was\n{agent.first}: Sorry about that. Can I take your postcode and house "
          "number?\nYou: {postcode}, number {house}\n{agent.first}: Thanks. The crew have logged that the bin wasn't "
          "out when they came past at {crew_time}.\nYou: It definitely was!!\n{agent.first}: I understand. I've "
          "raised a missed collection report, reference {ref}. The crew will come back by the end of {return_day}. "
          "Please leave the bin out until then.\nYou: ok thanks\n[Chat ended]",
          {"agent": "person", "town": "town", "postcode": ("KW4 7RT", "BN14 6PQ"), "house": "small_number",
           "crew_time": ("6.52am", "7.10am", "8.25am"), "ref": ("MC40217", "MC39852"), "return_day": "weekday"},
          (("agent.first", "Who did I speak to on the council chat?", "what was the advisor's name?"),
           ("ref", "What's the reference for my missed bin report?", "Which number do I quote if they don't come?"),
           ("return_day", "When will they come back for my recycling?", "by when should the bin be emptied?"),
           ("crew_time", "What time did the crew say they came past?", "when did the bin lorry go by?"),
           ("postcode", "What postcode did I give them?", "which postcode is the report for?")),
          ("Will I get compensation?", "What day is my normal collection?", "Can I take it to the tip?")),
    Scene("bulky_waste_faq.md", "## Bulky waste collections - your questions answered\n\n**How much does it cost?**\n"
          "{price3} for up to three items, and {extra} for each extra item (max {max_items} items per collection). "
          "Fridges and freezers are {fridge} each.\n\n**How do I book?**\nOnline or by phone. Collections are on "
          "{coll_day}s; book by noon at least {lead} before.\n\n**What can't you take?**\nBuilding rubble, tyres, "
          "asbestos, gas bottles, and anything that won't fit through a standard door.\n\n**Where do I leave "
          "things?**\nAt the front of your property by 7am, not on the pavement.",
          {"price3": ("£30", "£36", "£42"), "extra": ("£8", "£10", "£12"), "max_items": ("six", "eight", "ten"),
           "fridge": ("£22", "£25", "£28"), "coll_day": ("Tuesday", "Wednesday", "Friday"),
           "lead": ("two working days", "three working days")},
          (("price3", "How much to get rid of a sofa and two armchairs?", "What's the charge for three bulky items?"),
           ("fridge", "How much does it cost to take away an old freezer?", "what do they charge for a fridge?"),
           ("extra", "What do I pay for each item over three?", "how much is a fourth item?"),
           ("max_items", "What's the most items I can have taken in one go?", "is there a limit on items?"),
           ("lead", "How far ahead do I have to book a bulky collection?", "how much notice do they need?")),
          ("Can I cancel and get a refund?", "Do they recycle what they collect?", "Can they take a piano?")),
    Scene("library_whats_on.txt", "WHAT'S ON AT {town} LIBRARY - {month}\n\nRhymetime (under-2s and their grown-ups) "
          "- {rhyme_day}s, 10.30am, children's library. Free, just turn up.\nKnit & Natter - Thursdays 2-4pm in "
          "{room}. Bring your own project; tea 50p.\nAuthor talk: local historian {author} on \"{book}\" - "
          "{talk_date}, 7pm. Tickets {ticket} from the desk, includes a glass of wine.\nCode Club (ages 9-13) - "
          "Saturday mornings with volunteer {vol}. Laptops provided; booking essential as there are only {places} "
          "places.\nJob Club - drop in Mondays 1-3pm for help with CVs and applications.",
          {"town": "town", "month": "month", "rhyme_day": ("Tuesday", "Wednesday", "Friday"), "room": "room",
           "author": "person", "book": ("The Mills of the Lower Valley", "Lost Inns of the County", "Our High Street"),
           "talk_date": "date", "ticket": ("£3", "£4", "£5"), "vol": "person", "places": ("eight", "ten", "twelve")},
          (("author", "Who's giving the author talk?", "which local historian is speaking?"),
           ("book", "What's the historian's talk about?", "What's the name of the book being discussed?"),
           ("ticket", "How much are tickets for the author evening?", "what does the talk cost?"),
           ("places", "How many kids can do Code Club?", "how many places are there at code club?"),
           ("rhyme_day", "What day is Rhymetime?", "when can I bring my baby to the rhyme session?")),
          ("Is there parking at the library?", "What time does Code Club start?", "Can adults come to Code Club?")),
    Scene("school_newsletter.txt", "{school} Primary - Friday Newsletter\n\nDear Parents and Carers,\n\nA quick "
          "correction first: last week's newsletter gave the wrong date for our next INSET day. School will be closed "
          "to pupils on {new_inset}, NOT {old_inset}. Apologies for any confusion!\n\nFlu spray: the school nursing "
          "team visit on {flu_date}. Consent forms must be back by {consent}.\n\nWell done to {cls} class, who had "
          "the best attendance this half term ({attend}) and win an extra playtime.\n\nOur new Family Support Worker, "
          "{fsw}, starts after half term. She'll be on the gate most mornings, so do say hello.\n\nMrs {head.last}",
          {"school": "word", "new_inset": "day_month", "old_inset": "day_month", "flu_date": "day_month",
           "consent": ("this Friday", "next Monday", "next Wednesday"), "cls": ("Otters", "Kestrels", "Willow"),
           "attend": ("98.6%", "99.1%"), "fsw": "person", "head": "person"},
          (("new_inset", "When's the next INSET day?", "what day is school shut for staff training?"),
           ("flu_date", "When are the nurses coming in to do the flu spray?", "what day is the flu vaccine at school?"),
           ("consent", "By when do I have to return the flu consent form?", "when's the form deadline?"),
           ("cls", "Which class won the attendance award?", "who gets the extra playtime?"),
           ("fsw", "Who's the new family support worker?", "who will be on the gate in the mornings?")),
          ("When is parents' evening?", "How long is the extra playtime?", "Which year groups get the flu spray?")),
    Scene("parish_vacancy.txt", "{town} PARISH COUNCIL - CASUAL VACANCY\n\nFollowing the resignation of Cllr "
          "{resigned}, there is a vacancy in the {ward} ward. As no election was called, the Council will fill it by "
          "co-option at its meeting on {meeting}.\n\nInterested? You must be 18 or over and live or work in the "
          "parish. Send a short letter about yourself to the Clerk at {email} by {deadline}.\n\nCurrent members "
          "include:\n{chair} (Chair)\n{vice} (Vice-Chair)\n{paths} (Footpaths and Open Spaces)\n{planning} (Planning)",
          {"town": "town", "resigned": "person", "ward": "word", "meeting": "date", "email": "email",
           "deadline": "date", "chair": "person", "vice": "person", "paths": "person", "planning": "person"},
          (("resigned", "Who stepped down from the parish council?", "whose seat is vacant?"),
           ("deadline", "When do I need to apply by?", "what's the closing date for the councillor vacancy?"),
           ("chair", "Who chairs the parish council?", "who's in charge of {town} parish council?"),
           ("paths", "Who should I talk to about a blocked footpath?", "which councillor looks after open spaces?"),
           ("meeting", "When will they choose the new councillor?", "when's the co-option meeting?")),
          ("Do parish councillors get paid?", "How many people have applied?", "How long is the term of office?")),
    Scene("pothole_reply.eml", "From: Cllr {cllr}\nTo: {resident}\nSubject: Re: pothole on {road} Road\n\nHi "
          "{resident.first},\n\nThanks for flagging this - I walked down {road} Road on Saturday and you're right, "
          "the one outside the {shop} is a nasty one. I've logged it with Highways (ref {ref}) and marked it as a "
          "priority because of the cyclists. They aim to fix priority defects within {fix_time}, but honestly it's "
          "usually quicker.\n\nIf it's not done by the end of the month, email me again and I'll chase. I hold a "
          "surgery at {surg} the first Saturday of the month, 10 till 12, if you'd rather talk.\n\nBest,\n{cllr.first}",
          {"cllr": "person", "resident": "person", "road": "word", "shop": ("chip shop", "newsagent's", "launderette"),
           "ref": ("HW-220417", "HW-219983", "HW-231560"), "fix_time": ("24 hours", "five working days", "48 hours"),
           "surg": ("the library", "St Luke's church hall", "the community cafe")},
          (("ref", "What's the highways reference for the pothole?", "which ref has it been logged under?"),
           ("fix_time", "How long should the council take to fix a priority pothole?", "how fast do they promise?"),
           ("surg", "Where does the councillor hold surgeries?", "Where can I see {cllr.first} in person?"),
           ("shop", "What's the pothole outside?", "whereabouts on {road} Road is the hole?"),
           ("cllr", "Which councillor replied?", "who did {resident.first} hear back from?")),
          ("What ward does the councillor represent?", "Has anyone been hurt?", "Can I claim for damage to my car?")),
)
