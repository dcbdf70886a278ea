"""Study scenes: handbooks, lecture notes, exam rules, college admin mail, lab safety, societies, reference prose."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("geo2104_module_handbook.md", "# {code} Rivers, Floods and People - Handbook\n\n**Module leader:** Dr "
        "{leader} (room {office}; drop-in {drop_day}s 2-4pm, no booking)\n\n| Component | Weight | Deadline "
        "|\n|---|---|---|\n| Field notebook | {w_note} | {d_note} |\n| Policy brief (2,000 words) | {w_brief} | "
        "{d_brief} |\n| Exam | the rest | May |\n\nLate work: minus 5 marks a day for up to {late_cap} days, then "
        "zero.",
        {"code": ("GEO2104", "GEO2117", "GEO2231"), "leader": "person", "office": ("G.14", "2.07", "B31"),
         "drop_day": ("Tuesday", "Thursday"), "w_note": ("10%", "15%"), "w_brief": ("30%", "40%"),
         "d_note": "day_month", "d_brief": "day_month", "late_cap": ("three", "five")},
        (("leader", "Who's in charge of {code}?", "who runs the rivers and floods module?"),
         ("office", "Which room is Dr {leader.last} in?", "Where do I go for the module leader's drop-in?"),
         ("w_brief", "How much of the mark is the policy brief?", "What's the 2,000-word piece worth?"),
         ("d_note", "When's the field notebook due?", "By what date do I hand in my notebook?"),
         ("late_cap", "How many days late can work be before it scores nothing?", "after how many days is it a zero?")),
        ("How long is the exam?", "What's the pass mark for {code}?", "Where does the field trip go?")),
    Scene("hsc_unit7_outline.txt", "Level 3 Health & Social Care - Unit 7 ({term} term)\n\nHi all, welcome back! "
        "{tutor} is taking this unit, Mondays and {day2}s in {room}.\n\nHand-ins:\n- A1 case study: {d1}\n- A2 "
        "reflective log: {d2}\n\nMiss a hand-in and you get ONE resubmission, due within {resub} of your "
        "feedback.\n\nPlacement: {placement} over the year, signed off by your supervisor. Worried about anything? "
        "Talk to {tutor.first} or Student Services on ext. {ext}.",
        {"term": ("autumn", "spring"), "tutor": "person", "day2": ("Wednesday", "Thursday", "Friday"), "room": "room",
         "d1": "day_month", "d2": "day_month", "resub": ("ten working days", "two weeks"),
         "placement": ("100 hours", "120 hours", "150 hours"), "ext": "code"},
        (("tutor", "Who teaches Unit 7?", "who's our tutor for health and social care?"),
         ("day2", "Apart from Monday, which day is the class?", "what's the other day we have unit 7"),
         ("d2", "When is the reflective log due?", "what's the deadline for A2?"),
         ("resub", "If I miss a hand-in, how long do I get to resubmit?", "what's the time limit on a resubmission?"),
         ("placement", "How many placement hours do I need?", "how much time on placement is required?")),
        ("What's the word limit for the case study?", "Who is my placement supervisor?")),
    Scene("hist214_lecture6_summary.md", "HIST214 Lecture 6: The {canal} Canal (slide summary)\n\n- Built "
        "{year_open}-{year_done}. Engineer: {engineer}, who learned the trade on harbour walls.\n- {locks} locks; the "
        "summit stretch ran past {town}.\n- At its busiest it moved about {tonnage} tonnes a year, mostly coal, some "
        "{cargo}.\n- The railway reached the valley in {year_rail}; within twenty years tolls had fallen by "
        "{drop}.\n\nNB last year's exam asked *why* the canal declined - a list of dates won't get you past a 2:2.",
        {"canal": "word", "year_open": ("1791", "1794", "1797"), "year_done": ("1802", "1806", "1809"),
         "engineer": "person", "locks": "small_number", "town": "town", "tonnage": "big_number",
         "cargo": ("limestone", "grain", "timber"), "year_rail": ("1846", "1851", "1858"), "drop": "percent"},
        (("engineer", "Who was the engineer on the {canal} Canal?", "who designed the canal?"),
         ("year_open", "When did work on the canal begin?", "what year did they start building it"),
         ("locks", "How many locks did the {canal} canal have?", "how many locks were on it"),
         ("drop", "How much did toll income drop once the railway came?", "by what % did tolls fall?"),
         ("cargo", "Besides coal, what did the canal carry?", "apart from coal, what was shipped on it?")),
        ("How much did the canal cost to build?", "When did the {canal} Canal close for good?")),
    Scene("ecol_lec9_mynotes.txt", "ecol lec 9 - pop dynamics - Dr {lecturer.last} (my notes, prob mistakes)\n\n* "
        "carrying capacity = K. in the {animal} study at {island} K was about {k_value}\n* r = intrinsic growth rate, "
        "DON'T mix it up w/ observed growth\n* {animal} numbers crashed in {crash_year} after a hard winter, took "
        "{recover} to get back\n* exam: one calculation q, worth {calc_marks} marks\n* next wk predator-prey, read "
        "the {reading} paper BEFORE, they cold call\n* office hrs now {office_day}s",
        {"lecturer": "person", "animal": "animal", "island": "town", "k_value": "number",
         "crash_year": ("1998", "2004", "2011", "2016"), "recover": ("three years", "five years", "about a decade"),
         "calc_marks": ("10", "12", "15", "20"), "reading": "word", "office_day": "weekday"},
        (("k_value", "What was the carrying capacity in the {animal} study?", "what was K at {island}?"),
         ("crash_year", "When did the {animal} population collapse?", "what year was the crash"),
         ("recover", "How long before the {animal} population got back to normal?", "how long did recovery take?"),
         ("calc_marks", "How many marks is the calculation question worth?", "how much is the calc q worth"),
         ("reading", "Which paper do we need to have read for next week?", "what's the pre-reading?")),
        ("When is the ecology exam?", "What room is lecture 9 in?", "What was r in the {animal} study?")),
    Scene("exam_paper_front_page.txt", "UNIVERSITY OF {uni_town}\n{module} - {exam_month} Examinations\nTime allowed: "
        "{duration}\n\nINSTRUCTIONS TO CANDIDATES\n1. Answer ALL of Section A and {n_b} questions from Section B.\n2. "
        "Section A carries {sec_a} of the total marks.\n3. Only the {calc} calculator may be used.\n4. You may not "
        "leave during the first {no_leave} or the last 15 minutes.\n\nDO NOT TURN OVER UNTIL TOLD TO DO SO",
        {"uni_town": "town", "module": ("MATH1012 Mechanics", "PHYS1040 Optics", "ECON1105 Statistics"),
         "exam_month": ("January", "May/June", "August resit"), "duration": ("two hours", "three hours", "90 minutes"),
         "n_b": ("two", "three"), "sec_a": ("40%", "60%"), "calc": ("Tolbern T-30", "Quillet 82S"),
         "no_leave": ("30 minutes", "45 minutes")},
        (("duration", "How long is the {module} exam?", "how much time do we get in the exam"),
         ("n_b", "How many Section B questions do I have to do?", "in the second section how many do I answer?"),
         ("sec_a", "What share of the marks is Section A?", "How much is the compulsory section worth?"),
         ("calc", "Which calculator am I allowed to bring?", "what calculator model is permitted"),
         ("no_leave", "How soon after the start am I allowed to walk out?", "when can I leave early?")),
        ("Where is the exam being held?", "Can I bring a dictionary into the exam?", "What is the pass mark?")),
    Scene("exams_office_venue_correction.eml", "From: Exams Office\nSubject: RE: Your {module_code} exam - "
        "CORRECTION\n\nDear students,\n\nApologies - Monday's timetable listed the wrong venue. Your exam is in "
        "{new_room}, not {old_room}. The date and start time ({exam_date}, {start}) are unchanged.\n\nPlease arrive "
        "{arrive} early and bring your student card. If you have extra time or rest breaks you will sit in {alt_room} "
        "instead.\n\nKind regards,\n{officer}\nExams Officer",
        {"module_code": ("CHEM2201", "BIOL1150", "PSYC2030", "LAW1004"), "new_room": "room", "old_room": "room",
         "alt_room": "room", "exam_date": "date", "start": ("9.30am", "2pm", "9am", "1.30pm"),
         "arrive": ("15 minutes", "20 minutes", "half an hour"), "officer": "person"},
        (("new_room", "Where's my {module_code} exam?", "which room is the exam in now?"),
         ("start", "What time does the {module_code} exam start?", "what time do we kick off"),
         ("arrive", "How early should I get there?", "how long before the start should we turn up?"),
         ("alt_room", "I get extra time - where do I sit the exam?", "where do people with access arrangements sit?"),
         ("officer", "Who's the exams officer?", "who sent the correction about the room?")),
        ("How long is the {module_code} exam?", "Can I take a water bottle in?", "What happens if I'm late?")),
    Scene("fee_instalments_email.txt", "Subject: Tuition fee instalments\n\nHi {student.first},\n\nYou chose to pay "
        "your fee of {fee} in three instalments: {inst1} (40%), {inst2} (30%) and {inst3} (30%), taken by direct "
        "debit. If a payment fails we'll try once more after {retry}; if that fails too, your library and IT access "
        "may be suspended.\n\nYour student reference is {ref} - please quote it whenever you email us.\n\nBest "
        "wishes,\n{adviser}\nStudent Finance (Room {room_no}, Main Building)",
        {"student": "person", "fee": ("£9,250", "£9,535", "£7,800"), "inst1": ("1 October", "15 October"),
         "inst2": ("15 January", "30 January"), "inst3": ("20 April", "1 May"),
         "retry": ("seven days", "ten days", "14 days"), "ref": ("S2304417", "S2211906", "S2409385", "S2317720"),
         "room_no": ("G04", "1.12", "2.30"), "adviser": "person"},
        (("fee", "How much is my tuition this year?", "what's the total fee I'm paying?"),
         ("inst2", "When is the second instalment taken?", "when does the middle payment go out"),
         ("retry", "If a payment bounces, when will they try again?", "when's a failed debit retried?"),
         ("ref", "What's my student reference number?", "what number should I quote when I email finance?"),
         ("room_no", "Where's the student finance office?", "Which room do I go to about fees?")),
        ("Can I pay by card instead?", "Is there a fee for late payment?", "When is next year's fee due?")),
    Scene("library_term_info.md", "# {library} Library - term time\n\n| Day | Opens | Closes |\n|---|---|---|\n| "
        "Mon-Thu | 8am | {close_week} |\n| Friday | 8am | {close_fri} |\n| Saturday | {open_sat} | 6pm |\n| Sunday | "
        "11am | {close_sun} |\n\n**Loans:** undergrads {ug_loans} items, postgrads {pg_loans}, for {loan_len}. "
        "**Short loans** (red label) are 24 hours; the fine is {fine} an hour.\n\nGroup rooms: floor {floor}.",
        {"library": "word", "close_week": ("10pm", "midnight"), "close_fri": ("7pm", "8pm", "9pm"),
         "open_sat": ("9am", "10am"), "close_sun": ("8pm", "9pm", "10pm"), "ug_loans": ("10", "15"),
         "pg_loans": ("25", "30"), "loan_len": ("three weeks", "four weeks"), "fine": ("20p", "50p"),
         "floor": ("2", "3")},
        (("close_fri", "What time does the library close on Fridays?", "how late is it open on a friday"),
         ("ug_loans", "How many books can an undergrad take out?", "what's my borrowing limit as an undergrad"),
         ("loan_len", "How long can I keep a normal book?", "What's the standard loan period?"),
         ("fine", "How much is the fine if a short loan is late?", "what's the late charge on red label books"),
         ("floor", "Where are the group study rooms?", "which floor for a group room?")),
        ("Is the library open in the holidays?", "Can I print in the library?", "How many group rooms are there?")),
    Scene("stats_group_chat.txt", "[09:12] {rep}: morning all, {lecturer.last}'s stats lecture is NOT in {old_room} "
        "today\n[09:13] {rep}: it's moved to {wrong_room}\n[09:15] {rep}: sorry my bad, it's {new_room}. {wrong_room} "
        "is tomorrow's seminar\n[09:15] {friend}: lol ok. same time?\n[09:16] {rep}: yeah {start}. bring laptops, "
        "we're doing the {software} practical\n[09:20] {friend}: anyone got last week's slides\n[09:21] {other}: on "
        "the shared drive, folder's called {folder}",
        {"rep": "first_name", "lecturer": "person", "old_room": "room", "wrong_room": "room", "new_room": "room",
         "friend": "first_name", "start": "time", "software": "word", "other": "first_name",
         "folder": ("Week5_slides", "stats wk 5", "lec5 stuff", "STATS_shared")},
        (("new_room", "Where's the stats lecture today?", "which room is {lecturer.last}'s lecture in now?"),
         ("start", "What time is the stats lecture?", "when does today's lecture start"),
         ("wrong_room", "Where's tomorrow's seminar?", "Which room is the seminar in tomorrow?"),
         ("folder", "Where can I find last week's slides?", "What's the shared drive folder called?"),
         ("software", "Which practical are we doing in the lecture?", "what do we need laptops for today?")),
        ("Is the lecture being recorded?", "When is the stats assignment due?")),
    Scene("lab_safety_rules.md", "# Teaching Lab {lab} - Safety Rules\n\n1. Lab coat and goggles past the yellow "
        "line. Spare goggles are in the {goggle_place}.\n2. No food or drink, including water bottles.\n3. Volatiles "
        "in a fume cupboard; cupboards {fc_range} are for organic work only.\n4. Eye wash: by the {eyewash}. Rinse "
        "for at least {rinse}.\n5. Fire alarm: leave everything, meet at {assembly}.\n\nFirst aiders: {aider1} (ext. "
        "{ext1}), {aider2} (ext. {ext2})\nLab manager: {manager}",
        {"lab": ("C12", "C14", "B3"), "goggle_place": ("sink drawer", "blue crate by the door"),
         "fc_range": ("1-4", "5-8", "7-10"), "eyewash": ("north window", "main door"),
         "rinse": ("10 minutes", "15 minutes"), "assembly": ("the car park behind the library", "the Arts lawn"),
         "aider1": "person", "aider2": "person", "ext1": "code", "ext2": "code", "manager": "person"},
        (("assembly", "Where do we go if the fire alarm goes off?", "what's the fire meeting point for lab {lab}"),
         ("eyewash", "Where's the eye wash?", "if I get something in my eye where do I go?"),
         ("goggle_place", "I forgot my goggles, where are the spares?", "where can I get spare safety glasses?"),
         ("ext2", "What's {aider2.first}'s extension?", "How do I phone {aider2}?"),
         ("manager", "Who manages lab {lab}?", "who's in charge of the teaching lab")),
        ("Can I wear contact lenses in the lab?", "Where does chemical waste go?")),
    Scene("hillwalking_soc_post.md", "HIKE THIS SATURDAY: {peak} Fell ({route_len}, {grade})\n\nMeet outside the "
        "{meet} at {meet_time} sharp - the minibus WILL leave without you. {cost} for members, non-members welcome on "
        "a taster for {cost_non}.\n\nOnly {places} places so sign up on the form in our bio! Bring waterproofs and "
        "boots!\n\nWalk leader is {leader}, questions to {leader.first} or the group chat xx",
        {"peak": "word", "route_len": ("14 km", "18 km", "11 miles"), "grade": ("moderate", "strenuous", "easy-ish"),
         "meet": ("Students' Union", "main library", "sports centre"), "meet_time": ("7.30am", "8am", "8.15am"),
         "cost": ("£5", "£6", "£8"), "cost_non": ("£10", "£12"),
         "places": ("twelve", "fourteen", "sixteen", "eighteen"), "leader": "person"},
        (("meet_time", "What time's the minibus leaving?", "when do we need to be there saturday?"),
         ("meet", "Where do we meet for the hike?", "where's the minibus picking up from"),
         ("cost", "How much is it if I'm a member?", "what do members pay for the walk"),
         ("cost_non", "I'm not in the society yet - what would I pay?", "how much is it for non-members?"),
         ("places", "How many spaces are there on the trip?", "how many people can go")),
        ("What time do we get back?", "Is there a pub stop afterwards?", "How much is society membership?")),
    Scene("debating_soc_agm_minutes.md", "{uni} Debating Society - AGM minutes, {agm_date}\n\nElected: {pres} "
        "(President), {sec} (Secretary), {treas} (Treasurer), {comp} (Competitions)\n\n1. Balance {balance}; SU grant "
        "covers travel to {n_comps} competitions.\n2. Subs stay at {fee}.\n3. Weekly debates move to {debate_day}s, "
        "{debate_time}, in {room}.\n4. AOB: {pres.first} to ask about a bigger room for the Freshers' showcase.",
        {"uni": "town", "agm_date": "date", "pres": "person", "sec": "person", "treas": "person", "comp": "person",
         "balance": ("£1,240", "£860", "£2,115"), "n_comps": ("three", "four", "five", "six"), "fee": ("£5", "£8"),
         "debate_day": ("Tuesday", "Thursday"), "debate_time": ("7pm", "7.30pm", "6.30pm"), "room": "room"},
        (("pres", "Who's the new president of the debating society?", "who won president at the AGM"),
         ("treas", "Who looks after the society's money?", "Who is treasurer now?"),
         ("fee", "How much does it cost to join debating?", "what are the subs this year"),
         ("debate_day", "What night are the weekly debates on now?", "which day do they debate each week?"),
         ("n_comps", "How many competitions will the SU pay travel for?", "how many comps are covered?")),
        ("Who chaired the AGM?", "When is the Freshers' showcase?", "Who was president last year?")),
    Scene("wiki_market_town.md", "**{town}** is a market town on the River {river}. At the {census_year} census it "
        "had {pop} residents.\n\n## History\nThe town grew up around a ford and was granted a market charter in "
        "{charter}. It was known for {industry} until the last works closed in {closure}; the old works now house the "
        "town museum.\n\n## Landmarks\nThe church of St {saint} has the tallest spire in the county. The railway "
        "station, opened in {rail_year}, lies a mile north of the centre. {town} is twinned with {twin}.",
        {"town": "town", "river": "word", "census_year": ("2011", "2021"), "pop": "big_number",
         "charter": ("1227", "1348"), "industry": ("rope-making", "tanning", "brewing"), "closure": ("1962", "1986"),
         "saint": ("Aldric", "Oswy"), "rail_year": ("1847", "1856", "1863"), "twin": "town"},
        (("pop", "How many people live in {town}?", "What's the population of {town}?"),
         ("charter", "In what year was {town} allowed to hold a market?", "when did {town} get its charter"),
         ("industry", "What industry was {town} famous for?", "what did {town} used to be known for?"),
         ("rail_year", "When did {town} get a railway station?", "what year did the station open"),
         ("twin", "Which town is {town} twinned with?", "what's {town}'s twin town")),
        ("Who is the mayor of {town}?", "When was the church of St {saint} built?")),
    Scene("wiki_river.md", "The **River {river}** rises on {moor} Moor and flows {length} to the sea at {mouth}. Its "
        "main tributary, the {trib}, joins it just below {confluence}.\n\nIt was made navigable as far as {nav_limit} "
        "in {nav_year}, but {n_weirs} weirs above there kept barges out. The worst recorded flood, in {flood_year}, "
        "left the market square in {confluence} under {depth} of water.\n\nSalmon returned in {salmon_year}.",
        {"river": "word", "moor": "word", "length": ("48 km", "61 miles", "73 km", "39 miles"), "mouth": "town",
         "trib": "word", "confluence": "town", "nav_limit": "town", "nav_year": ("1762", "1771", "1789"),
         "n_weirs": "number_word", "flood_year": ("1866", "1903", "1947", "1968"),
         "depth": ("1.2 metres", "almost two metres", "four feet"), "salmon_year": ("1994", "2003", "2012")},
        (("length", "How long is the River {river}?", "how far is it from the source to the sea"),
         ("trib", "What's the biggest river that flows into the {river}?", "which tributary joins it?"),
         ("mouth", "Where does the {river} reach the sea?", "where does the river end up"),
         ("flood_year", "When was the worst flood on the {river}?", "what year did the market square go under"),
         ("nav_limit", "How far up could barges get?", "up to where was the {river} navigable?")),
        ("How many bridges cross the {river}?", "Who made the river navigable?", "How fast does the {river} flow?")),
    Scene("wiki_observatory.md", "**The {name} Observatory** stands on {hill} Hill above {town}. It was built in "
        "{built} to designs by {architect}, and its copper dome was then the largest in the county.\n\nThe {aperture} "
        "telescope was paid for largely by {donor}, a mill owner whose daughter was among the Philosophical Society's "
        "first women members; she went on to catalogue {n_stars} double stars from the site.\n\nIt closed to research "
        "in {closed} and is now run by volunteers, opening to the public on {open_night} evenings in winter.",
        {"name": "word", "hill": "word", "town": "town", "built": ("1858", "1864", "1871"), "architect": "person",
         "aperture": ("10-inch", "12-inch", "8-inch"), "donor": "person", "n_stars": "number",
         "closed": ("1931", "1954", "1967"), "open_night": ("Friday", "Saturday", "Thursday")},
        (("architect", "Who designed the {name} Observatory?", "who was the architect of the observatory"),
         ("donor", "Who paid for the telescope?", "whose money bought the telescope?"),
         ("n_stars", "How many double stars did the daughter record?", "how many did she catalogue?"),
         ("closed", "When did research stop there?", "when did it stop being a working observatory"),
         ("open_night", "What night can the public visit?", "when can I go and have a look round?")),
        ("How much does it cost to visit?", "What was the daughter's name?", "Who leads the volunteers?")),
    Scene("wiki_biscuit_company.md", "**{founder.last} & Sons** was a biscuit maker based in {town}, founded in "
        "{founded} by {founder}, a baker who had spent {prev_years} years in a coaching inn's kitchens before opening "
        "a shop at {street}.\n\nIts best-known product, the {product}, a ginger biscuit with a {filling} centre, "
        "dates from {product_year}. At its peak the firm employed {staff} people.\n\nIt was bought by a rival in "
        "{bought} and the factory closed {closed_after} later; the {product} is still made elsewhere under licence.",
        {"founder": "person", "town": "town", "founded": ("1838", "1852"), "prev_years": ("six", "eleven"),
         "street": "street", "product": "word", "filling": ("jam", "fig", "toffee"), "product_year": ("1879", "1893"),
         "staff": ("900", "1,200", "2,400"), "bought": ("1968", "1974", "1981"),
         "closed_after": ("two years", "eighteen months")},
        (("founder", "Who started {founder.last} & Sons?", "Who founded the biscuit firm?"),
         ("founded", "When was the company set up?", "what year did {founder.last} & Sons start"),
         ("product", "What was their most famous biscuit called?", "what's the name of the ginger biscuit?"),
         ("staff", "How many people worked there at its height?", "how big was the workforce at its peak"),
         ("bought", "When was the firm taken over?", "what year did a rival buy {founder.last} & Sons?")),
        ("Who bought the company?", "Where is the {product} made now?")),
    Scene("wiki_chemist_biography.md", "**{first} {last}** ({born}-{died}) was a chemist. She isolated {compound} "
        "red, a dye from marsh-plant roots. Born in {birthplace}, she was taught at home until {age_word}, then "
        "studied under {mentor} at {college} College.\n\nAs women could not join the Chemical Society, {mentor.last} "
        "read her first paper for her. She married the engineer {husband} in {married} and set up a lab in a "
        "converted {lab_building} at {new_town}. In {medal_year} she was the first woman to win its {medal} Medal.",
        {"first": ("Agathe", "Hedda", "Ottilie", "Marit"), "last": "surname", "born": ("1841", "1853"),
         "died": ("1912", "1927"), "compound": "word", "birthplace": "town", "age_word": ("fifteen", "sixteen"),
         "mentor": "person", "college": "word", "husband": "person", "married": ("1881", "1887"), "new_town": "town",
         "lab_building": ("stable", "chapel"), "medal_year": ("1896", "1905"), "medal": "word"},
        (("mentor", "Who did {first} {last} study with?", "who was her teacher at college?"),
         ("compound", "What dye is {last} famous for?", "what did she manage to isolate?"),
         ("husband", "Who did {first} {last} marry?", "what was her husband's name"),
         ("new_town", "Where did she set up her lab?", "which town was her laboratory in?"),
         ("medal_year", "When did she win the {medal} Medal?", "what year did {last} get the society's medal")),
        ("What was the marsh plant called?", "Did {first} {last} have children?")),
    Scene("econ_textbook_4_3.md", "### 4.3 Price elasticity: a worked example\n\nSuppose the only bakery in {town} "
        "sells {good} at {p1} each and sells {q1} a week. When it raises the price to {p2}, weekly sales fall to "
        "{q2}.\n\nCompare the percentage change in quantity with the percentage change in price, using the midpoint "
        "method (section 4.2). If the result is above 1 in absolute value, demand is *elastic* - likely here, since "
        "the supermarket {dist} away sells something similar.\n\n**Check your understanding:** exercise {ex}.",
        {"town": "town", "good": ("loaves", "sourdough rounds", "cinnamon rolls"), "p1": ("£1.10", "£1.20", "£1.25"),
         "p2": ("£1.50", "£1.60", "£1.75"), "q1": ("400", "450", "520"), "q2": ("280", "310", "350"),
         "dist": ("ten minutes' walk", "half a mile", "a short bus ride"), "ex": ("4.6", "4.9", "4.11")},
        (("p2", "What does the bakery put its price up to?", "What's the new price in the example?"),
         ("q2", "How many does it sell a week after the price rise?", "what do weekly sales drop to?"),
         ("q1", "How many did the bakery sell before the increase?", "what were weekly sales at the old price?"),
         ("ex", "Which exercise should I try to test myself?", "what question goes with this section?"),
         ("dist", "How far away is the supermarket in the example?", "how far is the supermarket from the bakery?")),
        ("What is the elasticity in the example?", "What does the supermarket charge?", "What's in section 4.4?")),
    Scene("handbook_glossary.md", "## Glossary\n\n**Capped resit** - a resit where the module mark is limited to the "
        "pass mark ({pass_mark}).\n\n**Compensation** - passing a failed module on the strength of your other marks. "
        "Only if the failed mark is {comp_floor} or above and you fail no more than {comp_credits} credits in the "
        "year.\n\n**Extenuating circumstances (EC)** - serious, unforeseen problems that affected your work. Claims "
        "go to the {ec_panel} within {ec_window} of the deadline.\n\n**Self-certification** - for short illness, up "
        "to {selfcert} times a year without a doctor's note.",
        {"pass_mark": ("40%", "50%"), "comp_floor": ("30%", "35%"), "comp_credits": ("15", "20", "30"),
         "ec_panel": ("EC Panel", "Student Cases Committee", "Mitigation Board"),
         "ec_window": ("five working days", "seven days", "ten working days"), "selfcert": ("two", "three")},
        (("pass_mark", "If I resit, what's the most I can get?", "what's a resit capped at?"),
         ("comp_floor", "What's the lowest mark that can be compensated?", "how low can a fail be and still count?"),
         ("ec_panel", "Who do I send an extenuating circumstances claim to?", "where do EC claims go"),
         ("ec_window", "How long after the deadline do I have to claim ECs?", "what's the time limit for an EC claim?"),
         ("selfcert", "How many times a year can I self-certify?", "how often can I be ill without a note?")),
        ("What counts as academic misconduct?", "Who sits on the {ec_panel}?", "What happens if I fail a resit?")),
    Scene("museum_did_you_know.txt", "DID YOU KNOW?\n\nThe {object} in this case was dug up in {found_year} by a "
        "{finder_job} clearing a ditch on {farm} Farm, {find_dist} from here.\n\nIt is made of {material} and is "
        "thought to be about {made} years old. Only {n_known} others like it are known - the closest at {far_place}, "
        "300 miles away!\n\nCan you spot the tiny {animal} scratched on the back?",
        {"object": ("buckle", "pendant", "charm"), "found_year": ("1936", "1958", "1974"),
         "finder_job": ("farmhand", "ditch digger"), "farm": "word", "find_dist": ("two miles", "a mile"),
         "material": ("bronze", "jet", "bone"), "made": ("1,800", "2,500", "3,000"), "n_known": "number_word",
         "far_place": "town", "animal": "animal"},
        (("found_year", "When was the {object} found?", "what year did they dig it up?"),
         ("farm", "On which farm was the {object} found?", "what farm did it turn up on"),
         ("made", "Roughly how old is the {object}, in years?", "how many years ago was it made?"),
         ("n_known", "How many others like it have been found?", "are there more of these? how many?"),
         ("animal", "What's scratched on the back of the {object}?", "what animal is hidden on the back?")),
        ("Who made the {object}?", "What was the finder's name?", "How much is the {object} worth?")),
    Scene("college_history.md", "# A short history of {college} College\n\nThe college began in {founded} as the "
        "{orig} Mechanics' Institute, an evening school for apprentices. Its founder, {founder}, was a foreman who "
        "had taught himself mathematics; he held the first classes in a room above the {pub}.\n\nIn {moved} it moved "
        "to new premises on {street}, paid for by a public subscription of {raised}. Women were admitted from "
        "{women}.\n\nThe original building, known as the {nickname}, still houses the library.",
        {"college": "word", "founded": ("1853", "1861", "1868"), "orig": "town",
         "founder": ("Josiah Pellow", "Amos Thirkell", "Ezra Hollin", "Silas Venner"),
         "pub": ("Wheatsheaf", "Three Tuns", "Plough and Harrow", "Golden Fleece"), "moved": ("1884", "1890", "1897"),
         "street": "street", "raised": ("£4,000", "£6,500", "£11,200"), "women": ("1902", "1909", "1915"),
         "nickname": ("Old Block", "Clock House", "Round Room")},
        (("founder", "Who started the college?", "Who founded the {orig} Mechanics' Institute?"),
         ("founded", "When did {college} College begin?", "what year was the college founded"),
         ("pub", "Which pub were the first classes held above?", "where did the first lessons take place?"),
         ("raised", "How much did the public subscription raise?", "how much was collected for the new building?"),
         ("nickname", "What do people call the original building?", "which building has the library in it?")),
        ("Who is the current principal?", "How many students were in the first class?")),
    Scene("dissertation_faq.md", "# Dissertation FAQ ({dept})\n\n**How long?** {words} words, not counting "
        "references. More than 10% over costs marks.\n\n**Who's my supervisor?** You'll be told by {allocated}; until "
        "then ask the coordinator, {coord}.\n\n**How often do we meet?** You get {meetings} one-to-ones across the "
        "year.\n\n**Ethics?** If you collect data from people, apply at least {ethics_lead} before you "
        "start.\n\n**Hand-in?** One PDF on the module page by {due_time} on {due}.",
        {"dept": ("Sociology", "Human Geography", "Media Studies"), "words": ("8,000", "10,000", "12,000"),
         "allocated": "day_month", "coord": "person", "meetings": ("six", "eight", "ten"),
         "ethics_lead": ("four weeks", "six weeks", "a month"), "due": "date", "due_time": ("noon", "2pm", "4pm")},
        (("words", "What's the word limit for the dissertation?", "how many words does it need to be?"),
         ("coord", "Who do I ask before I have a supervisor?", "who coordinates dissertations?"),
         ("meetings", "How many meetings with my supervisor do I get?", "how many 1:1s am I allowed"),
         ("ethics_lead", "How far ahead do I need to apply for ethics?", "how early should the ethics form go in?"),
         ("due", "When's the dissertation due?", "what's the hand-in date")),
        ("Exactly how many marks do I lose for going over?", "Can I pick my own supervisor?")),
    Scene("seminar_groups.md", "## {module}: seminar groups (from week 2)\n\n| Group | Tutor | When | Room "
        "|\n|---|---|---|---|\n| A | {tut_a} | Mon {time_a} | {room_a} |\n| B | {tut_b} | Tue {time_b} | {room_b} "
        "|\n| C | {tut_a} | Thu {time_c} | {room_c} |\n| D | {tut_d} | Fri {time_d} | {room_d} |\n\nSwaps only for "
        "timetable clashes - email {admin.first} ({admin_email}) with both group letters.",
        {"module": ("PHIL1001 Mind and World", "SOC1020 Social Theory"), "tut_a": "person", "tut_b": "person",
         "tut_d": "person", "time_a": ("9am", "10am"), "time_b": ("11am", "noon"), "time_c": ("2pm", "3pm"),
         "time_d": ("4pm", "5pm"), "room_a": "room", "room_b": "room", "room_c": "room", "room_d": "room",
         "admin": "person", "admin_email": ("hums@stavell.ac", "seminars@brennick.ac", "office@corrow.ac")},
        (("room_c", "Where does group C meet?", "what room is seminar group C in"),
         ("time_b", "What time is the group B seminar?", "when does the tuesday seminar start?"),
         ("tut_a", "Who teaches group C?", "who's the tutor for the thursday seminar"),
         ("tut_d", "Who's the tutor for the Friday group?", "who takes group D?"),
         ("admin_email", "What email address do I use to ask for a group swap?", "what's the swap request address?")),
        ("When does group E meet?", "How long is each seminar?", "What's the reading for week 2?")),
    Scene("it_servicedesk_chat.txt", "IT Service Desk chat - {chat_date}\n\n{agent.first} (IT): Hi, how can I "
        "help?\nStudent: hi i cant get on the wifi in halls\n{agent.first} (IT): Halls use the network called {ssid}, "
        "not the campus one. The first time you'll need the code {wifi_code} from your welcome pack.\nStudent: works! "
        "also my print credit's gone??\n{agent.first} (IT): Everyone gets {credit} at the start of the year. Top up "
        "at {topup}, minimum {min_top}.\n{agent.first} (IT): Your ticket is {ticket}.",
        {"chat_date": "date", "agent": "person", "ssid": ("HallsNet", "Resi-WiFi", "eduhalls"), "wifi_code": "code",
         "credit": ("£5", "£10", "£15"), "topup": ("the library help desk", "the Print Shop in the SU"),
         "min_top": ("£1", "£2", "£3"), "ticket": ("INC0048213", "INC0051977", "INC0060142")},
        (("ssid", "What wifi network should I use in halls?", "which network do halls use"),
         ("wifi_code", "What code do I need the first time I connect?", "what's the one-off code for the halls wifi?"),
         ("credit", "How much printing credit do students get?", "how much free printing do we get"),
         ("topup", "Where can I put more money on my print account?", "where do I top up printing"),
         ("ticket", "What's my ticket number?", "what reference do I give if I contact IT again?")),
        ("How much does it cost to print a page?", "What's the campus wifi called?")),
    Scene("y10_fieldtrip_letter.md", "Year 10 Geography - coastal fieldwork\n\nDear Parent/Carer,\n\nOn {trip_date} "
        "our Year 10 geographers will visit the beach at {beach} to measure longshore drift. The coach leaves school "
        "at {depart} and should be back by {return_time}. Please send a waterproof and a packed lunch.\n\nThe cost is "
        "{cost}, payable on the school payments app by {pay_by}. If cost is a problem, please speak to me in "
        "confidence. Our emergency mobile on the day is {phone}.\n\nYours sincerely,\n{teacher}\nHead of Geography",
        {"trip_date": "date", "beach": "town", "depart": ("8.15am", "8.30am", "8.45am"),
         "return_time": ("3.30pm", "4pm"), "cost": ("£12", "£15"), "pay_by": "day_month", "phone": "phone",
         "teacher": "person"},
        (("beach", "Where is the Year 10 trip going?", "where are they taking the kids for fieldwork"),
         ("depart", "What time does the coach leave?", "when's the coach setting off in the morning?"),
         ("pay_by", "When do I have to pay by?", "what's the payment deadline for the trip"),
         ("phone", "What number can I ring on the day if there's an emergency?", "what's the emergency mobile?"),
         ("teacher", "Who's organising the trip?", "who's the head of geography")),
        ("Will there be toilets at the beach?", "What happens if it rains?")),
    Scene("marks_release_email.txt", "Subject: Semester 1 marks + a correction\n\nHi all,\n\nProvisional marks go "
        "live on the portal on {release} at {release_time}. They stay provisional until the exam board meets on "
        "{board}.\n\nCorrection to Friday's email: the deadline to request a re-mark is {remark_new}, not "
        "{remark_old}. Marks can go down as well as up.\n\nPersonal tutors hold feedback hours in week "
        "{fb_week}.\n\nThanks,\n{officer}\nStudent Experience Officer",
        {"release": "date", "release_time": ("9am", "10am", "noon"), "board": "date", "remark_new": "day_month",
         "remark_old": "day_month", "fb_week": ("3", "4", "5"), "officer": "person"},
        (("release", "When can I see my marks?", "when do semester one results come out"),
         ("release_time", "What time do the marks go up on the portal?", "what time are results released?"),
         ("board", "When does the exam board meet?", "when do the marks become final?"),
         ("remark_new", "What's the last day to ask for a re-mark?", "by when do I need to request a remark?"),
         ("fb_week", "Which week are personal tutor feedback hours?", "when can I talk through my feedback?")),
        ("When will semester 2 marks be released?", "What happens if I fail a module?", "Who is my personal tutor?")),
    Scene("fen_gallery_glossary.md", "Glossary - Fen Life gallery\n\n**{term1}** (noun). A flat-bottomed peat and "
        "reed boat used on the {river} until {last_used}. Poled, not rowed, it carried up to {load}.\n\n**{term2}** "
        "(noun). The hiring fair held each {fair_month} at {fair_place}, where farm workers were hired for the "
        "year.\n\n**{term3}** (verb). To cut reed for thatching, done between {reed_from} and {reed_to}.",
        {"term1": "word", "river": "word", "last_used": ("the 1920s", "the 1930s", "about 1950"),
         "load": ("two tonnes", "three tonnes", "a ton and a half"), "term2": "word",
         "fair_month": ("October", "September", "Martinmas week"), "fair_place": "town", "term3": "word",
         "reed_from": ("November", "December"), "reed_to": ("March", "April")},
        (("term1", "What was the local name for the peat boats?", "what do they call the flat boats on the {river}?"),
         ("term3", "What's the word for cutting reed for thatch?", "what's the verb for reed cutting?"),
         ("term2", "What was the hiring fair called?", "what's the name for the fair where workers got hired"),
         ("load", "How much could one of the boats carry?", "how much weight could a peat boat take?"),
         ("reed_from", "When does reed cutting start?", "what month do they begin cutting reed")),
        ("Who built the boats?", "How many people went to the hiring fair?")),
)
