"""Life writing: diaries, travel blogs, timetables, bookings, museum texts, news, interviews, letters, invitations."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("diary_day_three.txt", "Tues. Day 3, {town}. Rain till lunch so {friend.first} and I sat in the {cafe} Café "
          "eating {food} and arguing over maps. She wants the lighthouse walk, I want a nap. Compromise: we got the "
          "{bus_time} bus up to the headland (single was {fare}, should've bought returns).\nLighthouse shut on a "
          "{closed_day} (of course). Walked back along the cliffs instead, {walk_time} + a blister.\nNote to self: "
          "{friend.first}'s cousin {cousin} runs the bike hire on the quay - ask about Thursday.",
          {"town": "town", "friend": "person", "cafe": "word", "food": "food", "bus_time": "time",
           "fare": ("£2.40", "£3.10", "£1.90", "€2.80"), "closed_day": "weekday", "cousin": "person",
           "walk_time": ("two hours", "three hours", "an hour and a half")},
          (("cafe", "What's the café they hid from the rain in called?", "Which café did they sit in?"),
           ("bus_time", "what time was the bus up to the headland?", "Which bus did they catch to the headland?"),
           ("closed_day", "On what day is the lighthouse closed?", "which day can't you get into the lighthouse?"),
           ("cousin", "Who runs the bike hire on the quay?", "If I want to hire a bike, who should I talk to?"),
           ("fare", "How much was a one-way ticket on the bus?", "What did a single cost?")),
          ("How much does a return ticket cost?", "What time does the lighthouse open?")),
    Scene("blog_three_slow_days.md", "# Three slow days in {town}\n\n*posted {posted}*\n\nWe nearly skipped {town}, "
          "and I'm glad we didn't. We stayed with {host}, who lets two rooms above her pottery studio on {street}. "
          "She moved here from the city in {year} and knows every path on the peninsula.\n\nDay two we took the "
          "little ferry, the *{boat}*, across to the island - the crossing takes {crossing} and the skipper lets kids "
          "steer. Lunch was {food} at the harbour hut (go before noon, it sells out).\n\nKayak hire is {kayak} for "
          "half a day, lifejackets included.",
          {"town": "town", "posted": "date", "host": "person", "street": "street", "year": ("2009", "2015", "2018"),
           "boat": "word", "crossing": "minutes", "food": "food", "kayak": ("£25", "£30", "€35", "£40")},
          (("host", "Who did the blogger stay with in {town}?", "whose place did they stay at?"),
           ("year", "When did {host.first} move to {town}?", "Since when has their host lived in {town}?"),
           ("boat", "What's the name of the ferry to the island?", "Which boat goes across to the island?"),
           ("crossing", "How long does the boat ride over to the island take?", "how long is the crossing?"),
           ("kayak", "How much is it to hire a kayak for a half day?", "What does kayak hire cost?")),
          ("How much did the room cost a night?", "What time does the first ferry leave?")),
    Scene("family_trip_plan_v3.md", "# {town} weekend - plan v3\n\n**Friday {fri}**\n- Leave ours by {leave} "
          "(traffic!)\n- Check in at the {guesthouse} Guesthouse, booked under {booker.last}\n\n**Saturday**\n- Ferry "
          "to the island, {old_ferry} sailing\n- Picnic on the beach, {sandwiches.first} doing sandwiches\n- Dinner "
          "at the {pub}, table for {diners}\n\n**Sunday**\n- Slow breakfast, home by teatime\n\n> EDIT (Mum): the "
          "{old_ferry} sailing's been cancelled - we're on the {new_ferry} now. Same pier, be there 20 minutes early.",
          {"town": "town", "fri": "day_month", "leave": "time", "guesthouse": "word", "booker": "person",
           "old_ferry": ("8.15", "9.40", "10.05"), "new_ferry": ("11.30", "12.15", "13.50"), "sandwiches": "person",
           "pub": "word", "diners": "number_word"},
          (("new_ferry", "Which ferry are we getting on Saturday now?", "what sailing are we actually on?"),
           ("guesthouse", "Where are we staying on Friday night?", "What's the guesthouse called?"),
           ("booker.last", "Whose name is the booking under?", "what name do I give when we check in?"),
           ("sandwiches.first", "Who's making the picnic?", "Who is in charge of sandwiches?"),
           ("diners", "How many people is the dinner table for?", "how big is the table booked at the pub?")),
          ("How much is the ferry?", "What time is dinner booked for on Saturday?")),
    Scene("ferry_timetable_summer.md", "## {port_a} ⇄ {port_b} - summer timetable\n\n| Leaves {port_a} | Vessel | "
          "Runs |\n|---|---|---|\n| {t1} | {v1} | daily |\n| {t2} | {v2} | not {noday}s |\n| {t3} | {v3} | weekends "
          "only |\n\nCrossing takes about {crossing}. Foot passengers {foot}, car and driver {car}.\nCars must check "
          "in 30 minutes before sailing. Bikes go free on the {v1} only. Tickets at the quay kiosk or on board.",
          {"port_a": "town", "port_b": "town", "t1": ("06:45", "07:10", "07:30"), "t2": ("11:15", "12:05", "12:40"),
           "t3": ("16:20", "17:00", "17:45"), "v1": "word", "v2": "word", "v3": "word", "noday": "weekday",
           "crossing": "minutes", "foot": ("£4.50", "£6", "£5.20"), "car": ("£28", "£34", "£41")},
          (("t3", "What time is the weekend-only boat?", "When does the {v3} leave {port_a}?"),
           ("v2", "Which vessel does the midday sailing?", "Which boat doesn't sail on {noday}s?"),
           ("noday", "Which day is the {t2} sailing not running?", "what day can't I get the {v2}?"),
           ("foot", "How much is it if I'm walking on?", "What's the fare for a foot passenger?"),
           ("t1", "When's the first boat of the day?", "what time does the {v1} leave {port_a}?")),
          ("What time does the return ferry leave {port_b}?", "Can I bring my dog on board?")),
    Scene("bus_route_timetable.md", "# Route {route}: {town_a} - {town_b}\nMonday to Saturday. No service on Sundays "
          "or bank holidays.\n\n| Stop | Morning | Afternoon |\n|---|---|---|\n| {town_a}, bus station | 08:05 | "
          "14:05 |\n| {stop2} (school) | 08:20 | {pm2} |\n| {stop3} crossroads | {am3} | 14:41 |\n| {town_b}, Market "
          "Square | 09:02 | {pm4} |\n\nDriver will stop on request between {stop3} and {town_b} where safe. Day "
          "ticket {ticket}, under-16s half price. Lost property: ring the depot on {phone}.",
          {"route": "small_number", "town_a": "town", "town_b": "town", "stop2": "word", "stop3": "word",
           "pm2": ("14:19", "14:22", "14:24"), "am3": ("08:37", "08:39", "08:43"), "pm4": ("15:01", "15:04", "15:08"),
           "ticket": ("£4.80", "£5.50", "£6.20"), "phone": "phone"},
          (("am3", "When does the morning bus reach {stop3}?", "if I wait at {stop3}, when's the AM bus?"),
           ("pm4", "What time does the afternoon bus get into {town_b}?", "When does the 14:05 arrive at the end?"),
           ("pm2", "When does the afternoon bus pass the school?", "What time is the afternoon bus at {stop2}?"),
           ("ticket", "How much is a day ticket?", "what does an adult pay for a day's travel?"),
           ("phone", "Who do I call if I left my bag on the bus?", "What's the number for lost property?")),
          ("Is there a bus on Sunday evenings from {town_b}?", "How much is a single fare for adults?")),
    Scene("saturday_trains.md", "Trains for Saturday, {date}\n(works north of {hub}, so every train changes "
          "somewhere)\n\n| Dep | Change at | Arr | Platform |\n|---|---|---|---|\n| 07:52 | {c1} | {a1} | {p1} |\n| "
          "09:24 | {c2} | {a2} | 4 |\n| 10:58 | {c3} | {a3} | 2 |\n\nAdvance singles from {fare}. The 09:24 has a "
          "replacement coach for the last leg, allow an extra {extra}.\nGet the early one! {sender.first}",
          {"date": "date", "hub": "town", "c1": "town", "c2": "town", "c3": "town", "a1": ("10:31", "10:44", "10:50"),
           "a2": ("12:15", "12:20", "12:38"), "a3": ("13:40", "13:52", "13:57"), "p1": ("1", "3", "6"), "fare": "money",
           "extra": "minutes", "sender": "person"},
          (("a2", "If I take the train that changes at {c2}, when do I get in?", "When does the 09:24 arrive?"),
           ("c3", "Where do I change if I catch the 10:58?", "what's the change for the last train in the list?"),
           ("p1", "Which platform does the 07:52 go from?", "What platform is the first train?"),
           ("extra", "How much extra time should I allow for the replacement coach?", "How long does the bus add?"),
           ("sender.first", "Who recommended taking the early train?", "who wrote up these train times?")),
          ("How much is an anytime return?", "Is there a buffet car on the 07:52?")),
    Scene("hotel_booking_confirmation.txt", "BOOKING CONFIRMED\n\nHotel {hotel}, {street}, {town}\n\nDear "
          "{guest},\nThank you for booking with us. Your details:\n\n  Reference:  {ref}\n  Arrival:    {arrive}\n  "
          "Nights:     {nights}\n  Room:       {room_type}\n  Total:      {total} (paid)\n\nCheck-in is from "
          "{checkin}. Breakfast is served in {room} until 10am. If you expect to arrive after 11pm please call "
          "reception on {phone} so we can leave a key.\n\nFree cancellation up to {cancel} before arrival.",
          {"hotel": "word", "street": "street", "town": "town", "guest": "person", "ref": "code", "arrive": "date",
           "nights": "number_word", "room_type": ("Double, sea view", "Twin, garden side", "Family room", "Single"),
           "total": "money", "checkin": "time", "room": "room", "phone": "phone", "cancel": "hours"},
          (("ref", "What's my booking reference?", "Which number do I quote if I ring the hotel about the booking?"),
           ("nights", "How many nights have I booked?", "how long is the stay?"),
           ("room", "Where do they serve breakfast?", "where do I go for breakfast?"),
           ("phone", "Who do I ring if we get in late at night?", "What number do I call if we're arriving late?"),
           ("cancel", "Until when can I cancel without paying?", "How much notice do I need to give to cancel free?")),
          ("Is parking included?", "What time is checkout?")),
    Scene("guesthouse_arrival_email.txt", "Hi {guest.first},\n\nLovely to hear from you - all sorted for {arrive}. "
          "I'm at the market that morning so let yourselves in: key box is left of the blue door, code {code}. You're "
          "in the room at the top of the stairs (we call it the {roomname} room, long story). My husband "
          "{partner.first} does breakfast, usually from {bfast}, but he'll do it earlier if you're catching a ferry, "
          "just tell him the night before.\n\nParking's on the street and free after {park}. The balance, {balance}, "
          "can be paid by card when you leave.\n\nSee you soon,\n{host.first}\n{house} House",
          {"guest": "person", "arrive": "day_month", "code": "code", "roomname": "colour", "partner": "person",
           "bfast": ("8am", "8.30", "7.45"), "park": "time", "balance": "money", "host": "person", "house": "word"},
          (("code", "What's the code for the key box?", "how do we get the key if nobody's in?"),
           ("partner.first", "Who cooks breakfast at the guesthouse?", "Who do I tell if I need an early breakfast?"),
           ("roomname", "Which room are we in?", "What do they call our room?"),
           ("park", "When does street parking become free?", "From what time can I park for nothing?"),
           ("balance", "How much do we still owe?", "What's left to pay when we check out?")),
          ("What's the wifi password?", "How far is the ferry terminal from the guesthouse?")),
    Scene("museum_label_case14.txt", "CASE 14\n\nDrinking horn, {material}\nMade c. {made}\n\nFound in {found} by "
          "{finder}, a farm worker clearing a ditch near {town}. He took it home and kept geraniums in it for {years} "
          "years before his daughter recognised the markings and brought it to us.\n\nThe band around the rim shows "
          "{count} {animal} chasing one another. Such horns were passed round at weddings; this one still smells "
          "faintly of honey.\n\nOn loan from the {lender} family.",
          {"material": ("bronze", "silver", "bone", "copper", "brass"), "made": ("AD 900", "1150", "1340", "1420"),
           "found": "year", "finder": "person", "town": "town", "years": "number_word",
           "count": ("three", "five", "seven"), "animal": ("stags", "hounds", "herons", "wolves"), "lender": "surname"},
          (("material", "What's the horn made of?", "What material is the drinking horn?"),
           ("finder", "Who dug up the horn?", "Who was the farm worker who found it?"),
           ("found", "When was it discovered?", "what year did the horn turn up?"),
           ("years", "How long was it used as a flowerpot?", "For how many years did he grow geraniums in it?"),
           ("lender", "Who owns the horn?", "Which family lent it to the museum?")),
          ("How much is the horn worth?", "What was the daughter's name?")),
    Scene("old_town_tour_script.md", "### Stop 4 - the Corn Exchange\n\n*(Gather the group on the steps, out of the "
          "traffic.)*\n\nThis building went up in {year}, when {town} still sold more grain than anywhere in the "
          "county. The clock was added later, a gift from {donor}, a mill owner who was famously never on time - "
          "people say that's why it runs {fast} fast to this day.\n\nInside, {room} is now used for dances and the "
          "Saturday market. The bell in the tower weighs {weight} and was cast in {bellyard}.\n\nNext: {minutes} on "
          "foot to the old gaol. Watch the cobbles.",
          {"year": ("1764", "1812", "1839", "1851"), "town": "town", "donor": "person",
           "fast": ("two minutes", "five minutes", "a minute"), "room": "room",
           "weight": ("two tonnes", "900 kg", "half a tonne", "1,200 kg"), "bellyard": "town",
           "minutes": ("Five minutes", "Ten minutes", "Two minutes")},
          (("year", "When was the Corn Exchange built?", "how old is the Corn Exchange - when did it go up?"),
           ("donor", "Who paid for the clock?", "Who gave the town its clock?"),
           ("fast", "How far off is the clock?", "by how much does the clock run fast?"),
           ("room", "Where's the Saturday market held?", "Which room inside is used for dances?"),
           ("weight", "How heavy is the bell?", "What does the bell in the tower weigh?")),
          ("Who designed the Corn Exchange?", "What time does the Saturday market open?")),
    Scene("gazette_footbridge.txt", "Footbridge reopens after {months} months\n\nWalkers and cyclists were back on "
          "the {river} footbridge on {weekday} morning, ending {months} months of detours for people crossing between "
          "{town} and the station.\n\nThe bridge was shut after last winter's floods undermined its east pier. "
          "Repairs by {firm} Ltd cost £{cost}, more than twice the first estimate.\n\nCouncillor {cllr}, who chairs "
          "the council's transport committee, said: \"I know it's been a long wait. We didn't want to patch it and be "
          "back here in five years.\" She added that lighting would follow in the spring.",
          {"months": "number_word", "river": "word", "weekday": "weekday", "town": "town", "firm": "word",
           "cost": "big_number", "cllr": "person"},
          (("months", "How long was the footbridge closed?", "how many months were people taking detours?"),
           ("cllr", "Who's in charge of the council's transport committee?", "Which councillor was quoted?"),
           ("cost", "How much did fixing the bridge cost?", "What was the final bill for the repairs?"),
           ("firm", "Which company did the repair work?", "Who were the contractors on the bridge?"),
           ("weekday", "What day did it reopen?", "On which day could people walk over it again?")),
          ("What was the first estimate for the repairs?", "When was the footbridge originally built?")),
    Scene("gazette_bakery_award.txt", "Local bakery takes top prize\n\nThe {bakery} Bakery on {street} has been named "
          "best small bakery in the region, beating {rivals} other finalists.\n\nOwner {owner} opened the shop in "
          "{year} with a borrowed oven and, she says, \"no idea what I was doing\". The judges singled out her "
          "{food}, which regulars queue for from {opening} on Saturdays.\n\nThe prize of {prize} will go towards a "
          "second oven. \"My apprentice {apprentice.first} deserves half the credit,\" she said.",
          {"bakery": "word", "street": "street", "rivals": "number_word", "owner": "person",
           "year": ("1998", "2006", "2013", "2019"), "food": "food", "opening": "time",
           "prize": ("£500", "£1,000", "£2,500", "£750"), "apprentice": "person"},
          (("owner", "Who owns the bakery that won?", "who runs the prize-winning bakery?"),
           ("year", "When did the bakery open?", "How long has she had the shop - since what year?"),
           ("food", "What did the judges like most?", "what's the thing people queue for?"),
           ("apprentice.first", "Who's her apprentice?", "Who does the owner say deserves half the credit?"),
           ("rivals", "How many other bakeries were in the final?", "How many finalists did they beat?")),
          ("What is the bakery's phone number?", "What time does the bakery close on Saturdays?")),
    Scene("radio_interview_coast_path.txt", "PRESENTER: My next guest has just walked the whole of the coast path, "
          "all of it, in one go. {guest}, welcome.\nGUEST: Thanks for having me.\nPRESENTER: How long did it "
          "take?\nGUEST: {days}, door to door. I'd planned for less, but the weather had other ideas.\nPRESENTER: "
          "Hardest stretch?\nGUEST: The cliffs past {hard}. Honestly I cried a bit.\nPRESENTER: And you weren't "
          "alone?\nGUEST: No, {dog} came with me - my collie. She did better than I did.\nPRESENTER: There's a book "
          "coming.\nGUEST: There is, it's called *{book}*, out on {pub_date}.",
          {"guest": "person", "days": "days", "hard": "town", "dog": "word", "book": "word", "pub_date": "day_month"},
          (("days", "How long did the whole walk take?", "how many days was {guest.first} out walking?"),
           ("hard", "Where was the toughest part of the walk?", "Which stretch did the walker find hardest?"),
           ("dog", "What's the dog called?", "Who kept the walker company on the path?"),
           ("book", "What's the book called?", "what title is the walking book coming out under?"),
           ("pub_date", "When is the book coming out?", "when can I buy the book?")),
          ("How long is the coast path?", "Who is publishing the book?")),
    Scene("magazine_boatbuilder_qa.md", "**{builder} has been building wooden boats in a shed on {town} quay since "
          "{year}. We asked her how.**\n\n**How did you start?**\nMy dad had a half-finished dinghy in the garage. I "
          "finished it for him when I was {age}.\n\n**What timber do you use?**\nMostly {material}. People ask for "
          "teak but I won't.\n\n**How long does a boat take?**\nA small one, about {weeks}. The big ones, don't "
          "ask.\n\n**And the cost?**\nThe rowing dinghy starts at {price}. The sailing version is "
          "more.\n\n**Favourite boat?**\n*{boat}*, the first one I sold. She's still on the water.",
          {"builder": "person", "town": "town", "year": ("1987", "1995", "2004"),
           "age": ("fourteen", "sixteen", "nineteen"), "material": ("larch", "oak", "cedar", "elm"), "weeks": "weeks",
           "price": "money", "boat": "word"},
          (("material", "What wood does she build with?", "what timber do her boats use?"),
           ("weeks", "How long does it take her to build a small boat?", "How long would I wait for a small one?"),
           ("price", "How much is a rowing dinghy?", "what's the starting price for a dinghy?"),
           ("age", "How old was she when she finished her dad's dinghy?", "At what age did she start?"),
           ("boat", "What was the first boat she ever sold?", "which boat is her favourite?")),
          ("How much does the sailing version cost?", "How big is the shed?")),
    Scene("about_the_artist.md", "## About the artist\n\n{artist} was born in {home} in {born} and grew up above her "
          "parents' hardware shop. She trained as a sign-writer before going to art school at {age}, and moved to "
          "{town} in {moved}, where she still lives with her partner, the {plays} player {partner}.\n\nHer best-known "
          "painting, *{painting} at Low Tide*, hangs in the town library. She has been shortlisted for the {prize} "
          "Prize {times} times and, as she likes to point out, has never won it.",
          {"artist": "person", "home": "town", "born": ("1948", "1956", "1963"),
           "age": ("eighteen", "twenty", "twenty-five"), "town": "town", "moved": ("1989", "1994", "2001"),
           "plays": "instrument", "partner": "person", "painting": "word", "prize": "word", "times": "number_word"},
          (("home", "Where's the artist from originally?", "Where was {artist.first} born?"),
           ("moved", "When did she move to {town}?", "what year did {artist.last} settle in {town}?"),
           ("partner", "Who does she live with?", "Who's her partner?"),
           ("plays", "What does her partner play?", "which instrument does {partner.first} play?"),
           ("times", "How many times has she been shortlisted for the prize?", "How often has she nearly won?")),
          ("Where did she go to art school?", "How much do her paintings sell for?")),
    Scene("obituary_ferryman.txt", "{name}, who ran the {town} ferry for more than thirty years, has died at home "
          "aged {age}.\n\nBorn in {born_town}, he started as a deckhand at fifteen and took over the boat from his "
          "uncle in {year}. In that time, by his own count, he missed just {missed} sailings, all of them for "
          "fog.\n\nHe is survived by his wife, {wife}, their daughter {daughter.first}, and a great many regular "
          "passengers.\n\nThe funeral will be at St {saint}'s on {date} at {time}. Family flowers only, please.",
          {"name": "person", "town": "town", "age": ("seventy-eight", "eighty-one", "ninety"), "born_town": "town",
           "year": ("1971", "1978", "1983"), "missed": "number_word", "wife": "person", "daughter": "person",
           "saint": "word", "date": "date", "time": ("11am", "2pm", "1.30pm", "10.30am")},
          (("age", "How old was he when he died?", "what age was the ferryman?"),
           ("year", "When did he take over the ferry?", "What year did the boat pass to him from his uncle?"),
           ("missed", "How many sailings did he miss?", "how many crossings did fog cost him?"),
           ("wife", "Who was he married to?", "What's his widow's name?"),
           ("date", "When's the funeral?", "What day is the service?")),
          ("Where will he be buried?", "What was his uncle's name?")),
    Scene("letter_from_gran.txt", "Dear {kid.first},\n\nThank you for your lovely letter, it's on the fridge. The "
          "garden is a jungle after all the rain and your grandad has given up on the {veg}. {cat} the cat caught a "
          "{animal} on Tuesday and brought it in to show us, alive, so that was a morning.\n\nWe're all set for "
          "{visit}. Aunt {aunt.first} is coming on the {train} train and will pick you up from school on the way, so "
          "don't go home on the bus that day.\n\nI've put {gift} in with this for your birthday. Don't spend it all "
          "on sweets.\n\nLots of love,\nGran xx",
          {"kid": "person", "veg": ("beans", "courgettes", "tomatoes"), "cat": "word",
           "animal": ("mouse", "frog", "baby rabbit", "slow-worm"), "visit": "day_month", "aunt": "person",
           "train": "time", "gift": ("£10", "£20", "£25")},
          (("gift", "How much money did Gran send?", "what did Gran put in the envelope for the birthday?"),
           ("aunt.first", "Who's picking {kid.first} up from school?", "Which aunt is coming to visit?"),
           ("cat", "What's the cat's name?", "What is Gran's cat called?"),
           ("animal", "What did the cat bring in?", "what did the cat catch on Tuesday?"),
           ("visit", "When's the visit?", "What date are they all set for?")),
          ("How old is {kid.first} turning?", "Where does Gran live?")),
    Scene("wedding_invitation.txt", "Together with their families\n\n{p1}\n&\n{p2}\n\ninvite you to celebrate their "
          "marriage\n\non {date}\nat {time}\n{venue} Chapel, {town}\n\nand afterwards for food, dancing and "
          "questionable speeches\nat {barn} Barn\n\nKindly reply by {rsvp}\nto {email}\nand let us know about any "
          "dietary needs.\n\nDress: {dress}\nNo gifts please - your company is plenty.",
          {"p1": "person", "p2": "person", "date": "date", "time": "time", "venue": "word", "town": "town",
           "barn": "word", "rsvp": "day_month", "email": "email",
           "dress": ("smart casual", "summer formal", "black tie", "wear something you can dance in")},
          (("time", "What time is the ceremony?", "when should we be at the chapel?"),
           ("barn", "Where's the reception?", "where's the party after the wedding?"),
           ("rsvp", "When do I need to reply by?", "what's the deadline for letting them know?"),
           ("email", "Where do I send my RSVP?", "How do I tell them I'm coming?"),
           ("dress", "What should I wear?", "What's the dress code?")),
          ("Can I bring a plus one?", "Is there parking at the barn?")),
    Scene("group_chat_birthday.txt", "[18:02] {host.first}: RIGHT. I'm turning {age} and we're doing it properly "
          "🎉\n[18:02] {host.first}: {pub}, back room, {date}, from {old_time}\n[18:04] {guest.first}: yesss. can I "
          "bring {plus.first}?\n[18:04] {host.first}: course!! the more the merrier\n[18:06] {host.first}: sorry - "
          "from {new_time}, not {old_time}, they've got a quiz on before us\n[18:07] {guest.first}: what shall we "
          "bring?\n[18:09] {host.first}: {bring} if you're making something, otherwise just yourselves. "
          "{cousin.first}'s doing the music so lower your expectations",
          {"host": "person", "age": ("thirty", "forty", "fifty", "sixty"), "pub": "word", "date": "day_month",
           "old_time": ("7pm", "7.30pm", "8pm"), "new_time": ("8.30pm", "9pm", "9.30pm"), "guest": "person",
           "plus": "person", "bring": "food", "cousin": "person"},
          (("new_time", "What time should I turn up?", "when does the birthday party actually start?"),
           ("pub", "Where's the party?", "Which pub is it at?"),
           ("age", "How old is {host.first} going to be?", "what birthday is it?"),
           ("bring", "What should I make if I'm bringing food?", "What could we bring along?"),
           ("cousin.first", "Who's doing the music?", "who's in charge of the playlist?")),
          ("How much does the back room cost to hire?", "What time does the party finish?")),
    Scene("walk_hill_circular.md", "## {hill} Hill circular\n\n**Distance:** {dist} · **Time:** about {walk_time} · "
          "**Start:** {start} car park (pay & display, {fee} all day)\n\n1. Leave the car park by the gate in the far "
          "corner and follow the stream uphill.\n2. At the {inn} Inn turn left onto the bridleway. Muddy after "
          "rain.\n3. Cross the stile and keep the wall on your right to the trig point ({summit}). Views to the sea "
          "on a clear day.\n4. Drop down through {wood} Wood (watch for {animal} by the pond) to the start.",
          {"hill": "word", "dist": ("6 km", "8.5 km", "4 miles", "7 miles"),
           "walk_time": ("2 hours", "3 hours", "2½ hours"), "start": "town", "fee": ("£3", "£4.50", "£5"),
           "inn": "word", "summit": ("312 m", "445 m", "527 m"), "wood": "word",
           "animal": ("herons", "newts", "dragonflies", "moorhens")},
          (("dist", "How long is the walk?", "how far is the {hill} Hill loop?"),
           ("start", "Where does the walk begin?", "Which car park do I leave the car in?"),
           ("fee", "How much is it to park?", "what's the parking charge for the day?"),
           ("inn", "Which pub do I turn left at?", "Where do you join the bridleway?"),
           ("summit", "How high is the trig point?", "how high does the walk get?")),
          ("Are dogs allowed on the walk?", "Is there a café at the car park?")),
    Scene("coach_tour_itinerary.md", "# {tour} Lakes & Mountains - four nights\n\nTour manager: {guide} (mobile "
          "{phone})\nDriver: {driver}\n\n| Day | Route | Overnight |\n|---|---|---|\n| 1 | Arrive {town1}, welcome "
          "dinner | {h1} Hotel |\n| 2 | Boat trip on the lake, afternoon free | {h1} Hotel |\n| 3 | Over the {pass} "
          "Pass to {town2} | {h2} Lodge |\n| 4 | {town2} market, cheese dairy visit | {h2} Lodge |\n| 5 | Home "
          "|\n\n{price} per person sharing, single supplement {single}. Balance due {due} before.",
          {"tour": "word", "guide": "person", "phone": "phone", "town1": "town", "h1": "word", "pass": "word",
           "town2": "town", "h2": "word", "price": "money", "single": "money", "due": "weeks", "driver": "person"},
          (("h2", "Where do we sleep on night three?", "What hotel are we in after the mountain pass?"),
           ("pass", "Which mountain pass does the coach go over?", "what pass do we cross on day 3?"),
           ("guide", "Who's leading the tour?", "who will be our guide?"),
           ("single", "How much extra is it if I travel alone?", "What's the single supplement?"),
           ("due", "When do I have to pay the rest?", "How long before we go is the balance due?"),
           ("driver", "Who's driving the coach?", "who is our coach driver?")),
          ("How much is the deposit?", "Is the boat trip included in the price?")),
    Scene("museum_visitor_info.md", "# Visiting the {town} Museum\n\nOpen {first_day} to Sunday, 10:00-17:00. Last "
          "entry {last_entry} before closing.\n\n| Ticket | Price |\n|---|---|\n| Adult | {adult} |\n| Child (5-16) | "
          "{child} |\n| Family (2+2) | {family} |\n| Under 5s | free |\n\nTickets last a year - keep yours. The "
          "{cafe} café is on the ground floor; {room} upstairs hosts talks on the first {talk_day} of each month. "
          "Lockers take a {coin} coin, which you get back.",
          {"town": "town", "first_day": ("Tuesday", "Wednesday"), "last_entry": ("30 minutes", "45 minutes", "an hour"),
           "adult": ("£9", "£11.50", "£12"), "child": ("£4", "£5.50", "£6"), "family": ("£24", "£28", "£30"),
           "cafe": "word", "room": "room", "talk_day": ("Thursday", "Friday"), "coin": ("£1", "50p", "20p")},
          (("child", "How much is a ticket for a 10-year-old?", "how much for a kid?"),
           ("family", "What does a family ticket cost?", "We're two adults and two kids - what do we pay?"),
           ("last_entry", "How late can I go in before it shuts?", "When is last entry?"),
           ("room", "Where are the talks held?", "Which room is used for the monthly talks?"),
           ("coin", "What coin do I need for a locker?", "what do the lockers take?")),
          ("Is there a discount for students?", "Can I take photos inside?")),
    Scene("blog_night_train.md", "# The sleeper to {dest}\n\nWe boarded just before {depart}, found cabin {cabin} in "
          "coach {coach}, and immediately argued about who got the top bunk ({partner.first} won). Our attendant, "
          "{attendant}, brought tea and a little card to tick for breakfast. She's worked the line for {years} years "
          "and says the best bit is the dawn run along the {lake} shore, so set an alarm.\n\nBreakfast was {food} - "
          "better than it had any right to be. We rolled into {dest} {late} late and nobody minded.\n\nTickets were "
          "{fare} for the two of us, cabin included.",
          {"dest": "town", "depart": "time", "cabin": "small_number", "coach": ("B", "C", "D", "F"),
           "partner": "person", "attendant": "person", "years": "number_word", "lake": "word", "food": "food",
           "late": "minutes", "fare": ("£180", "£240", "€210", "£155")},
          (("attendant", "Who looked after them on the train?", "what was the attendant's name?"),
           ("years", "How long has the attendant worked on the line?", "How many years has she done the job?"),
           ("lake", "Which lake does the train run along at dawn?", "What should I wake up early to see?"),
           ("fare", "How much did the tickets cost?", "what did the sleeper cost for two?"),
           ("late", "How late was the train?", "How far behind schedule did they arrive?")),
          ("What time did the train arrive?", "How much is a single cabin?")),
    Scene("camping_diary.txt", "Our {night} night at {site} campsite. Wind off the lake all evening; {kid.first} "
          "finally got the tent pegs in properly and is insufferable about it.\nThe site costs {old} a night - no, "
          "just checked the receipt, it's {new}, the cheap rate is tents without a car.\nWarden's called {warden}. He "
          "lent us a mallet and told us the showers are only hot before {showers}, which explains "
          "yesterday.\nTomorrow: canoe to the island if calm. Hire opens at {opens}, ask for {hire.first}.",
          {"night": "ordinal", "site": "word", "kid": "person", "old": ("£14", "£18", "£22"),
           "new": ("£26", "£29", "£31"), "warden": "person", "showers": "time", "opens": ("8am", "9am", "9.30"),
           "hire": "person"},
          (("new", "How much does the campsite charge per night?", "what are they paying a night?"),
           ("warden", "Who's the site warden?", "who lent them a mallet?"),
           ("showers", "Until when are the showers hot?", "if I want a hot shower, when do I need to go by?"),
           ("opens", "What time does the canoe hire open?", "When can they get a canoe?"),
           ("night", "Which night of the trip is this?", "what night of the holiday is it?")),
          ("How much does canoe hire cost?", "How far is the island?")),
    Scene("seal_trip_booking.txt", "Hi {customer.first},\n\nYou're booked on the seal trip for {party} on {date}. "
          "Boarding is at {pier} pier - please be there by {board}, we leave on the tide and can't wait. The boat is "
          "the *{boat}*, the {colour} one at the end.\n\nThe trip lasts about {length}. Dress warmly and bring a "
          "waterproof. Your skipper will be {skipper} - he's been running trips here for years and knows every seal "
          "by name (he claims).\n\nPaid: {paid}. Full refund if we cancel for weather.\n\n{office.first}, bookings",
          {"customer": "person", "party": ("two adults", "two adults and a child", "four adults", "a family of five"),
           "date": "date", "pier": "word", "board": "time", "boat": "word", "colour": "colour",
           "length": ("an hour", "90 minutes", "two hours", "two and a half hours"), "skipper": "person",
           "paid": "money", "office": "person"},
          (("pier", "Where do we get on the boat?", "which pier do we board from?"),
           ("board", "What time do we need to be there?", "When must I turn up for the seal trip?"),
           ("boat", "What's the name of the boat?", "Which boat are we going on?"),
           ("skipper", "Who's the skipper?", "Who's driving the boat?"),
           ("length", "How long does the seal trip take?", "how long will we be out on the water?")),
          ("Are there toilets on board?", "What happens if I cancel?")),
    Scene("radio_lighthouse_keeper.txt", "HOST: It's {weekday} afternoon and with me is {keeper}, the last keeper of "
          "the {light} lighthouse. You arrived there in what, {year}?\nKEEPER: That's right. I was {age}, green as "
          "anything.\nHOST: And how many of you lived out there?\nKEEPER: {crew} of us, plus a goat called "
          "{goat}.\nHOST: A goat?\nKEEPER: For the milk. She outlived the job, actually. When they automated the "
          "light I took her home with me.\nHOST: You've written a memoir. Tell us the title.\nKEEPER: *The Long "
          "Watch*. It's in the library from {lib}.",
          {"weekday": "weekday", "keeper": "person", "light": "word", "year": ("1968", "1974", "1979"),
           "age": ("twenty", "twenty-six"), "crew": ("Three", "Four"), "goat": "word", "lib": "day_month"},
          (("keeper", "Who's on the show today?", "Who was the last keeper at the lighthouse?"),
           ("year", "When did the keeper start at the lighthouse?", "what year did they arrive?"),
           ("crew", "How many people lived at the lighthouse?", "How big was the crew?"),
           ("goat", "What was the goat called?", "What was the name of the goat they kept?"),
           ("lib", "From when can I borrow the memoir?", "When will the book be in the library?")),
          ("When was the lighthouse automated?", "Who published The Long Watch?")),
    Scene("gazette_festival_returns.txt", "Lantern festival back after {gap}-year break\n\n{town}'s lantern parade "
          "returns on {date}, organisers have confirmed. The parade will set off from {start} at {time} and wind down "
          "to the harbour, where there will be music from the {band} Brass Band.\n\nWorkshops to make lanterns run "
          "every {wday} in the church hall until the big night; they cost {fee}, materials included. Organiser "
          "{organiser} said around {crowd} people came to the last parade. She hopes to beat that.",
          {"gap": ("three", "four", "five"), "town": "town", "date": "date", "start": "word", "time": "time",
           "band": "word", "wday": "weekday", "fee": ("£3", "£5", "£4"), "organiser": "person", "crowd": "big_number"},
          (("date", "When is the lantern parade?", "what date's the festival this year?"),
           ("start", "Where does the parade start from?", "Where should I go to join at the beginning?"),
           ("band", "Who's playing at the harbour?", "Which band is doing the music?"),
           ("wday", "What day are the lantern workshops on?", "When can my kids go and make a lantern?"),
           ("crowd", "How many people came last time?", "how big was the crowd at the previous parade?")),
          ("What time does the parade finish?", "Who founded the lantern festival?")),
)
