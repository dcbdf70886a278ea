"""Short everyday texts people paste in: family chats, sitter notes, lists, voicemails, lost-and-found posts."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("family_chat_weekend.txt", "[Fri 18:04] Mum: ok weekend plan. Grandad's 80th lunch is at The {pub} in "
          "{town}, table booked for {lunch} on Sat\n[Fri 18:06] {uncle}: we'll drive up Saturday morning, room for "
          "two in the back\n[Fri 18:07] Mum: {teen} you're going with {uncle} then x\n[Fri 18:09] {teen}: fineee. is "
          "it smart\n[Fri 18:10] Mum: smart-ish!! and can everyone put {chip} in the pot for his present, I'll sort "
          "the card\n[Fri 18:21] {cousin}: can't do Sat, I'm on shift :( will ring him Sunday\n"
          "[Fri 18:22] Mum: no worries love",
          {"pub": "word", "town": "town", "lunch": ("12.30pm", "1pm", "1.30pm"), "uncle": "first_name",
           "teen": "first_name", "chip": ("£10", "£15", "£20", "£25"), "cousin": "first_name"},
          (("pub", "Which pub is Grandad's birthday lunch at?", "where are we eating on saturday"),
           ("lunch", "What time is the table booked for?", "When do we need to be there for Grandad's lunch?"),
           ("uncle", "Who is giving {teen} a lift?", "who's driving {teen} up on Saturday"),
           ("chip", "How much should each of us put towards Grandad's present?", "how much is everyone chipping in"),
           ("cousin", "Who can't come because of work?", "Which of the family is working on Saturday?")),
          ("What present are we getting Grandad?", "What time is Mum setting off on Saturday?")),
    Scene("note_for_house_sitter.txt", "Hi {sitter.first}!\n\nThank you SO much for doing this. Bits and bobs:\n\n"
          "- key safe is round by the side gate, code {code}\n- black bin goes out {bin_day} night (recycling is the "
          "other week, don't worry)\n- if the boiler cuts out, hold the reset button for ten seconds\n"
          "- plants in the conservatory want watering every {water} days, the rest are fine\n"
          "- wifi is {wifi}, password's on the back of the router\n\nWe're back on {back}, probably teatime. "
          "{neighbour.first} at number {door_no} has a spare key if you lock yourself out - she's lovely.\n\n"
          "{owner.first} x",
          {"sitter": "person", "code": "code", "bin_day": "weekday", "water": ("two", "three", "four"), "wifi": "word",
           "back": "day_month", "neighbour": "person", "door_no": "small_number", "owner": "person"},
          (("code", "What's the key safe code?", "How do I get the key when I arrive?"),
           ("bin_day", "Which night do the bins go out?", "when does the black bin need putting out"),
           ("water", "Every how many days should I water the conservatory plants?", "how often do plants need water"),
           ("neighbour.first", "Who has a spare key?", "If I get locked out, who do I go to?"),
           ("back", "When are the owners coming home?", "What date are they back?")),
          ("What's the wifi password?", "Where is the stopcock?", "Can I have a friend to stay?")),
    Scene("pet_sitter_notes.md", "# {cat} & {dog} - notes for {sitter.first}\n\n| Who | Breakfast | Dinner | Notes |\n"
          "|---|---|---|---|\n| {cat} (cat) | {flavour} pouch at {cat_am} | half a pouch at {cat_pm} | tablet hidden "
          "in breakfast |\n| {dog} (dog) | one scoop at {dog_am} | one scoop at {dog_pm} | walk before dinner, lead "
          "on the hook |\n\n{cat} is booked in at {vet} Vets for her booster on {jab} - ignore that, I'll move it. If "
          "either of them seems off, the vets are on {vet_phone}.\n\n- {owner.first}",
          {"cat": "word", "dog": "word", "sitter": "person", "flavour": ("chicken", "salmon", "tuna"),
           "cat_am": ("6.30am", "7am"), "cat_pm": ("5pm", "5.30pm", "6pm"), "dog_am": ("7.30am", "8am"),
           "dog_pm": ("4.30pm", "6.30pm", "7pm"), "vet": "word", "jab": "day_month", "vet_phone": "phone",
           "owner": "person"},
          (("cat_am", "What time does {cat} get breakfast?", "when do I feed the cat in the morning"),
           ("dog_pm", "What time is {dog}'s tea?", "When does the dog have its dinner?"),
           ("vet", "Which vets are the pets registered with?", "what vets do they go to"),
           ("vet_phone", "What number do I ring if one of them is poorly?", "What's the vet's phone number?"),
           ("jab", "When is {cat}'s booster booked?", "when was the cat's vaccination appointment")),
          ("Where is the dog food kept?", "How long should {dog}'s walk be?", "Is {cat} allowed outside?")),
    Scene("babysitter_notes.txt", "Babysitting notes - thank you!!\n\n{older} is {older_age} and {younger} is "
          "{younger_age}.\nBedtime: {younger} {bed_young}, {older} can stay up till {bed_old} if homework's done (it "
          "won't be).\nTea's in the fridge - {tea}, 3 mins in the microwave. No sweets after 6pm!!\n"
          "{younger} has a mild nut allergy. The EpiPen is in the {drawer} drawer by the kettle, never needed it but "
          "good to know.\nWe're at {restaurant}, {street}, home by {home}. My mobile is {phone}.\n- {parent.first}",
          {"older": "first_name", "younger": "first_name", "older_age": ("nine", "ten"),
           "younger_age": ("four", "five"), "bed_young": ("7pm", "7.30pm"), "bed_old": ("8.30pm", "9pm"),
           "tea": ("fish pie", "lasagne", "chicken curry"), "drawer": ("top", "second", "bottom"), "restaurant": "word",
           "street": "street", "home": ("11pm", "11.30pm", "midnight"), "phone": "phone", "parent": "person"},
          (("bed_young", "What time does {younger} go to bed?", "when should the little one be asleep"),
           ("drawer", "Which drawer is the EpiPen in?", "where do they keep the allergy pen"),
           ("tea", "What are the children having for tea?", "what's for dinner tonight"),
           ("home", "When will the parents be back?", "What time are they getting home?"),
           ("older_age", "How old is {older}?", "what age is the older one")),
          ("Is {older} allowed on the tablet?", "Does {younger} need a nightlight?")),
    Scene("todo.txt", "TO DO  (updated {updated})\n\n[x] renew car tax\n[ ] book MOT - garage said any time before "
          "{mot}\n[ ] present for {friend.first} - she's {age} on the {bday}!!\n[ ] library books back by {library} "
          "or it's {fine} a day\n[ ] ring council about the old sofa, ref {ref}\n[ ] dentist {dentist_day} at "
          "{dentist_time} (DON'T forget this time)\n[x] pay window cleaner\n[ ] fix gate",
          {"updated": "day_month", "mot": "day_month", "friend": "person", "age": ("thirty", "forty", "fifty"),
           "bday": ("3rd", "9th", "14th", "21st"), "library": "day_month", "fine": ("20p", "50p", "£1"), "ref": "code",
           "dentist_day": "weekday", "dentist_time": "time"},
          (("mot", "When does the MOT need doing by?", "what's the deadline for booking the car in"),
           ("age", "How old is {friend.first} going to be?", "which big birthday is {friend.first} having"),
           ("library", "When are the library books due back?", "by when do I need to return my library books"),
           ("fine", "How much is the library fine per day?", "what does it cost if the books are late"),
           ("dentist_time", "What time is the dentist?", "when's my dentist appointment, what time")),
          ("Which garage is doing the MOT?", "What am I getting {friend.first} for her birthday?")),
    Scene("party_shopping.md", "## {kid}'s party - who's getting what\n\n| Item | Who | Budget |\n|---|---|---|\n"
          "| Drinks + ice | {drinks} | {drinks_budget} |\n| Cake (the {flavour} one from the bakery) | {cake} | "
          "{cake_budget} |\n| Balloons, candles, plates | {decor} | {decor_budget} |\n| Crisps / dips | whoever's "
          "passing the shop | - |\n\nKeep your receipts! {treasurer} is settling up on {settle}.",
          {"kid": "first_name", "drinks": "first_name", "drinks_budget": ("£20", "£25"), "cake": "first_name",
           "flavour": ("lemon", "chocolate", "carrot"), "cake_budget": ("£35", "£40"), "decor": "first_name",
           "decor_budget": ("£10", "£15"), "treasurer": "first_name", "settle": "weekday"},
          (("cake", "Who's picking up the cake?", "who is sorting the birthday cake"),
           ("flavour", "What flavour is the cake?", "which cake did we go for"),
           ("drinks_budget", "How much can be spent on drinks?", "what's the drinks budget"),
           ("decor", "Who is buying the balloons?", "who's doing plates and candles"),
           ("treasurer", "Who do I give my receipt to?", "Who's paying everyone back?")),
          ("Where is the party being held?", "How many children are coming to {kid}'s party?")),
    Scene("house_meeting.txt", "house mtg {meet_date}\npresent: {a}, {b}, {c}, {d} (on speaker from work)\n\n"
          "- bills: energy's gone up, {energy} each a month from next month. {b} to change the standing order\n"
          "- cleaning rota going weekly, {c} does bathroom first then we rotate\n- landlord inspection {inspection}, "
          "{a} is wfh that day so will let him in\n- {d} moving out end of {month}!! need a new housemate, ad going "
          "up this week\n- AOB: whoever keeps eating my {food}, please stop. you know who you are",
          {"meet_date": "day_month", "a": "first_name", "b": "first_name", "c": "first_name", "d": "first_name",
           "energy": ("£38", "£42", "£55", "£61"), "inspection": "date", "month": "month", "food": "food"},
          (("energy", "How much is each of us paying for energy now?", "what's my share of the energy bill a month"),
           ("b", "Who's sorting out the new standing order?", "who's changing the payment for bills"),
           ("c", "Whose turn is it to clean the bathroom first?", "who starts off the new cleaning rota"),
           ("inspection", "When is the landlord coming round?", "When's the inspection?"),
           ("month", "When is {d} moving out?", "what month does {d} leave the house")),
          ("How much is the rent?", "What's the landlord's name?")),
    Scene("voicemail_garage.txt", "Voicemail - {garage_phone} - {received} (0:52)\n\n\"Hiya, it's {mech.first} from "
          "{garage} Motors about the {colour} hatchback. Yeah so we've had a look and it's, um, the front brake pads "
          "and one of the discs, so you're looking at about {quote} with labour. We could do it {fixday} if you drop "
          "it in first thing, it'd be ready for about {ready}. Give us a bell back on this number and ask for me or "
          "{colleague.first}. Cheers, bye.\"\n\n(Transcription may not be accurate)",
          {"garage_phone": "phone", "received": "time", "mech": "person", "garage": "word", "colour": "colour",
           "quote": ("£180", "£240", "£310"), "fixday": "weekday", "ready": ("4pm", "5pm", "half four", "lunchtime"),
           "colleague": "person"},
          (("quote", "How much are the brakes going to cost?", "what did the garage quote me"),
           ("fixday", "What day can they fix the car?", "when can the garage do the work"),
           ("ready", "When will the car be ready to pick up?", "what time can I collect it"),
           ("mech.first", "Who from the garage left the message?", "who rang about the car"),
           ("garage", "What's the garage called?", "Which garage called?")),
          ("Is there a courtesy car?", "What's the car's registration?")),
    Scene("voicemail_nana.txt", "Voicemail transcript, {received}:\n\n\"Hello love, it's Nana. I don't know if this "
          "thing's recording. Anyway I've got the tickets for the {show} at the {theatre} Playhouse on {day_month}, "
          "it starts at {start} so if you could pick me up about {pickup} that'd be lovely. Oh, and your Auntie "
          "{aunt} can't come after all, her knee's playing up again. I paid, it was {price} each, you can give it me "
          "whenever. Right. Ta-ra. Oh - it's Nana.\"",
          {"received": "time", "show": ("pantomime", "brass band concert", "ballet", "choir concert"),
           "theatre": "word", "day_month": "day_month", "start": ("7pm", "7.30pm"), "pickup": ("6pm", "6.15pm"),
           "aunt": "first_name", "price": ("£12", "£15", "£18.50", "£22")},
          (("show", "What has Nana got tickets for?", "what are we going to see with Nana"),
           ("start", "What time does the show start?", "when does it begin"),
           ("pickup", "What time does Nana want collecting?", "when should I go and get her"),
           ("aunt", "Which auntie can't come now?", "who's dropped out"),
           ("price", "How much do I owe Nana for my ticket?", "what did the tickets cost each"),
           ("theatre", "Which theatre is it at?", "what's the venue called")),
          ("Where are our seats?", "How many tickets did Nana buy?", "What time does the show finish?")),
    Scene("note_on_fridge.txt", "{flatmate}!!\n\nGas man coming {gasday} between {window_from} and {window_to} - can "
          "you be in?? I'm on earlies all week.\nAlso I owe you {owe} for the takeaway, will send it tonight.\n"
          "Milk's off. DON'T drink it.\nSpare bulb for the hall is in the kitchen drawer (the one that sticks).\n\n"
          "- {me} x",
          {"flatmate": "first_name", "gasday": "weekday", "window_from": ("8am", "9am", "10am"),
           "window_to": ("12pm", "1pm", "2pm"), "owe": ("£8", "£9.20", "£12.50", "£14"), "me": "first_name"},
          (("gasday", "What day is the gas engineer coming?", "when's the gas man due"),
           ("window_from", "What's the earliest the gas man could turn up?", "from what time do I need to be home"),
           ("window_to", "What time should the gas engineer have come by?", "when does the gas slot end"),
           ("owe", "How much is owed for the takeaway?", "how much am I getting back for the takeaway"),
           ("me", "Who left the note?", "who wrote this")),
          ("Which takeaway did they order?", "What time does the writer finish work?")),
    Scene("calendar_week.txt", "Calendar export - {owner} - week of {week}\n\nMON  {physio_time}  Physio with "
          "{physio} - {clinic} Clinic, room {room_no}\nTUE  -\nWED  {evening_time}  Parents' evening (Mr {teacher})\n"
          "THU  all day  WFH\nFRI  {dinner_time}  Dinner w/ {friend} @ {restaurant}\nSAT  {swim_time}  {kid} "
          "swimming, {pool} Leisure Centre\nSUN  -",
          {"owner": "person", "week": "day_month", "physio_time": "time", "physio": "person", "clinic": "word",
           "room_no": "small_number", "evening_time": ("4.10pm", "5.30pm", "6.20pm"), "teacher": "surname",
           "dinner_time": ("7pm", "7.30pm", "8pm"), "friend": "first_name", "restaurant": "word",
           "swim_time": ("9am", "9.30am", "10am"), "kid": "first_name", "pool": "word"},
          (("evening_time", "What time is parents' evening?", "when do I need to be at school on Wednesday"),
           ("teacher", "Which teacher is parents' evening with?", "who are we seeing at parents' evening"),
           ("restaurant", "Where's dinner on Friday?", "which restaurant am I meeting {friend} at"),
           ("swim_time", "What time is {kid}'s swimming?", "when's swimming on saturday"),
           ("room_no", "Which room is the physio in?", "what room do I go to for physio")),
          ("What time does parents' evening finish?", "Who is taking {kid} to swimming?")),
    Scene("book_club_event.txt", "Exported event\n--------------\nTitle:      {club} Book Club\n"
          "When:       {date}, {start} - {end}\nWhere:      {host.first}'s, {street}\nOrganiser:  {host} <{email}>\n"
          "Attendees:  {a}, {b}, {c}, you\nReminder:   {remind} before\nNotes:      This month it's \"The {book}\". "
          "Bring a snack to share. If it's cancelled {host.first} will text by lunchtime.",
          {"club": "town", "date": "date", "start": ("7pm", "7.30pm"), "end": ("9pm", "9.30pm", "10pm"),
           "host": "person", "street": "street", "email": "email", "a": "first_name", "b": "first_name",
           "c": "first_name", "remind": ("15 minutes", "1 hour", "1 day"), "book": "word"},
          (("book", "Which book are we reading this month?", "what's the book for book club"),
           ("street", "What's the address for book club?", "which road is book club on"),
           ("start", "What time does book club start?", "when should I get there"),
           ("email", "How can I contact the organiser?", "what's {host.first}'s email"),
           ("remind", "How long before will my reminder go off?", "when will I get reminded")),
          ("Who picked this month's book?", "Is there parking at the house?")),
    Scene("packing_list.md", "# {place} - packing ({nights} nights)\n\n**Me**\n- passport!!! (expires {expiry}, "
          "checked, fine)\n- charger + adaptor\n- walking boots\n- swimmers\n\n**Shared - who's bringing**\n"
          "- tent: {tent}\n- stove + gas: {stove}\n- first aid kit: me\n- cool box: {coolbox} (she has the big one)\n"
          "\nHold bag limit is {bag} each. We land {land} local time.",
          {"place": "town", "nights": "number_word", "expiry": "date", "tent": "first_name", "stove": "first_name",
           "coolbox": "first_name", "bag": ("15kg", "20kg", "23kg"), "land": ("10.40am", "2.15pm", "6.05pm", "9.50pm")},
          (("nights", "How many nights are we away?", "how long's the trip"),
           ("tent", "Who's bringing the tent?", "who has the tent sorted"),
           ("stove", "Who's got the camping stove?", "who is bringing the gas"),
           ("bag", "How heavy can my checked bag be?", "what's the luggage allowance"),
           ("land", "What time do we land?", "when does the flight get in")),
          ("Which airline are we flying with?", "What time does the flight leave?")),
    Scene("residential_kit_list.txt", "Year 5 residential - kit list\n\nDear parents, the coach leaves school at "
          "{leave_time} on {leave_day} and we're back on {back_day} at roughly {back_time}.\n\n"
          "Please pack, and NAME everything:\n* sleeping bag and pillow\n* wellies AND trainers\n* waterproof coat\n"
          "* a torch (no phones please)\n* spending money, no more than {spend}, in a named envelope\n\n"
          "Medicines go to Mr {meds} in a labelled bag on the morning. Questions to the office on {phone}.\n\n"
          "Mrs {teacher}",
          {"leave_time": ("8.15am", "8.30am", "9am"), "leave_day": "weekday", "back_day": "weekday",
           "back_time": ("3pm", "3.30pm", "4pm"), "spend": ("£5", "£10", "£15"), "meds": "surname", "phone": "phone",
           "teacher": "surname"},
          (("leave_time", "What time does the coach set off?", "when does the bus leave for the residential"),
           ("back_day", "Which day do the children come home?", "what day are they back"),
           ("spend", "How much spending money can they take?", "what's the limit on pocket money"),
           ("meds", "Who do I give my child's medicine to?", "which teacher is in charge of medicines"),
           ("teacher", "Who wrote the kit list?", "which teacher sent this")),
          ("Where is the residential?", "How much does the trip cost?", "Do they need a packed lunch?")),
    Scene("lift_share_thread.txt", "Lifts to the {town} away game, {game_day}\n\n{d1}: I can take 4. leaving the "
          "{meet} car park at {leave1}\n{p1}: me please!\n{p2}: me + {kid} if there's room\n"
          "{d2}: my car's in the garage :( can anyone grab me from {street}?\n{d1}: yep I'll swing past, that's me "
          "full\n{p3}: I'll take the rest, 4 seats, going from the {meet} at {leave2}\n{d1}: petrol {petrol} each, "
          "pay your driver",
          {"town": "town", "game_day": "weekday", "d1": "first_name", "p1": "first_name", "p2": "first_name",
           "kid": "first_name", "d2": "first_name", "p3": "first_name", "street": "street",
           "meet": ("leisure centre", "church", "station", "school"), "leave1": ("9.30", "9.45", "10"),
           "leave2": ("10.15", "10.30", "10.45"), "petrol": ("£4", "£5", "£6")},
          (("leave1", "What time is {d1} leaving?", "when does {d1}'s car go"),
           ("street", "Where does {d2} need picking up from?", "what's {d2}'s address for the lift"),
           ("leave2", "If I go in {p3}'s car, when do we set off?", "what time does the second car leave"),
           ("petrol", "How much do I give the driver for petrol?", "what's the petrol money"),
           ("d1", "Who is collecting {d2}?", "who's picking up the one without a car")),
          ("What time does the game kick off?", "Who's driving back after the game?")),
    Scene("school_run_rota.md", "School run rota - this half term\n\n| Day | Drop-off | Pick-up |\n|---|---|---|\n"
          "| Mon | {m1} | {a1} |\n| Tue | {m2} | {a2} |\n| Wed | {m1} | {a3} |\n| Thu | {m3} | {a1} |\n\n"
          "Fridays everyone does their own. Wednesday is {club} club so pick-up is {late}, not the usual time. {m1}'s "
          "car takes four kids, everyone else's three. If you swap, post it here so nobody's left at the gate!",
          {"m1": "first_name", "m2": "first_name", "m3": "first_name", "a1": "first_name", "a2": "first_name",
           "a3": "first_name", "club": ("chess", "football", "drama", "netball"), "late": ("4.15pm", "4.30pm", "5pm")},
          (("m2", "Who does Tuesday drop-off?", "who's driving tuesday morning"),
           ("a3", "Who's collecting the kids on Wednesday?", "wednesday pick up - whose turn is it"),
           ("late", "What time is pick-up on club day?", "When do I collect them on a Wednesday?"),
           ("club", "What club is on Wednesdays?", "which after-school club is it"),
           ("m1", "Whose car fits four children?", "which parent has the biggest car")),
          ("What time is the usual pick-up?", "Which school do the kids go to?")),
    Scene("wrong_day_thread.txt", "{sender}: Hi all! Reminder {event} is on {old_day} at {time}, at the {old_venue}. "
          "Bring a bottle!\n{sender}: ** correction ** sorry, typing one-handed - it's {new_day}, not {old_day}. Same "
          "time.\n{friend}: still the {old_venue}?\n{sender}: no!! moved to the {new_venue}, the {old_venue} has a "
          "wedding on that night. honestly just ignore my first message\n{friend}: haha ok. {plus_one} says he's "
          "coming too",
          {"sender": "first_name", "event": ("the reunion", "the quiz night", "the leaving drinks", "the book swap"),
           "old_day": "weekday", "new_day": "weekday", "time": ("7pm", "7.30pm", "8pm"),
           "old_venue": ("Red Lion", "cricket club", "Crown", "village hall"),
           "new_venue": ("Plough", "rugby club", "Fox and Hounds", "Scout hut"), "friend": "first_name",
           "plus_one": "first_name"},
          (("new_day", "What day is {event}?", "which day are we meeting now"),
           ("new_venue", "Where is {event} being held?", "where do I need to go"),
           ("time", "What time does it start?", "what time should I get there"),
           ("sender", "Who's organising {event}?", "who sent the invite"),
           ("old_venue", "Which place has a wedding on that night?", "where was it supposed to be originally")),
          ("What time does it finish?", "How much are tickets?")),
    Scene("training_update.txt", "U10s parents - training this week is on {pitch}, {start} to {end}. {coach.first} is "
          "taking it as I'm away.\n\nEDIT: {start} was wrong, it's {new_start} - the U9s have the pitch before us. "
          "Finish time the same.\nAlso subs are {subs} this month not {old_subs}, I forgot the kit levy. Pay "
          "{coach.first} on the night or bank transfer, ref = your child's name.\n\nThanks, {manager.first}",
          {"pitch": ("the 3G pitch", "the rec", "the school field", "the top field"), "start": ("5pm", "5.30pm"),
           "new_start": ("6pm", "6.15pm"), "end": ("7pm", "7.15pm", "7.30pm"), "coach": "person",
           "subs": ("£20", "£22", "£25"), "old_subs": ("£15", "£16", "£18"), "manager": "person"},
          (("new_start", "What time does training start this week?", "when do I drop them off for training"),
           ("end", "What time does training finish?", "when do I pick up from training"),
           ("subs", "How much are subs this month?", "what do I owe for subs"),
           ("coach.first", "Who's running training this week?", "who do I pay subs to"),
           ("pitch", "Where is training?", "which pitch are they on"),
           ("manager.first", "Who's away this week?", "who sent the message to parents")),
          ("What kit do they need to bring?", "Is there a match at the weekend?")),
    Scene("lost_cat.txt", "LOST CAT - {area}\n\nOur {fur} boy {cat} hasn't been home since {since}. He's {age} years "
          "old, microchipped, wearing a {collar} collar with a bell. Very friendly but scared of dogs. Last seen near "
          "the {landmark}.\n\nWe're at {street} - please check sheds and garages! Any sightings, call or text "
          "{owner.first} on {phone}. Small reward.",
          {"area": "town", "fur": ("ginger", "grey", "black and white", "tabby"), "cat": "word", "since": "date",
           "age": "number_word", "collar": ("red", "blue", "green", "pink"), "street": "street", "phone": "phone",
           "landmark": ("post office", "bus shelter", "chip shop", "primary school"), "owner": "person"},
          (("since", "When did {cat} go missing?", "since when has the cat been gone"),
           ("age", "How old is the missing cat?", "what age is {cat}"),
           ("collar", "What colour is {cat}'s collar?", "what colour collar is he wearing"),
           ("fur", "What colour is the cat?", "what does {cat} look like, colour-wise"),
           ("landmark", "Where was {cat} last seen?", "where was the cat spotted last")),
          ("How much is the reward?", "Is {cat} neutered?")),
    Scene("found_keys.txt", "FOUND - keys\n\nFound a set of keys by the bench in {park} Park on {found_day} "
          "afternoon. {nkeys} door keys, a little padlock key and a gym fob. There's a keyring on them but I'm not "
          "saying what, so the owner can describe it.\n\nI've handed them in at {shop}'s (the corner shop, {street}) "
          "- ask for {staff.first}, she knows about it.\n\nPosted by {poster}",
          {"park": "word", "found_day": "weekday", "nkeys": ("Two", "Three", "Four"), "shop": "surname",
           "street": "street", "staff": "person", "poster": "first_name"},
          (("park", "Which park were the keys found in?", "where were the keys picked up"),
           ("shop", "Where can I collect the keys?", "which shop has them"),
           ("staff.first", "Who should I ask for at the shop?", "who knows about the keys at the shop"),
           ("found_day", "What day were they found?", "when did someone find the keys"),
           ("nkeys", "How many door keys are on the bunch?", "how many house keys are there")),
          ("What's on the keyring?", "What time does the shop close?")),
    Scene("lost_phone.txt", "Long shot but - lost my phone on the number {bus} bus from {from_town} to {to_town} on "
          "{lost_day}, around {time}. Black case with a {sticker} sticker on the back, I was sat upstairs near the "
          "front. The bus company says nothing's been handed in yet.\n\nIf anyone finds it please message me here or "
          "email {email}. Happy to give a reward, it's got all my baby's photos on :(\n\n- {name}",
          {"bus": "small_number", "from_town": "town", "to_town": "town", "lost_day": "weekday", "time": "time",
           "sticker": ("sunflower", "rainbow", "cactus", "pineapple"), "email": "email", "name": "first_name"},
          (("bus", "Which bus was the phone lost on?", "what number bus was it"),
           ("to_town", "Where was the bus going?", "what was the bus heading towards"),
           ("sticker", "What sticker is on the phone case?", "how would I recognise the phone"),
           ("email", "How do I get in touch with the owner?", "what email do I send it to"),
           ("time", "Roughly what time did they lose it?", "what time was the bus")),
          ("What make of phone is it?", "Which bus company runs the route?")),
    Scene("christmas_dinner_chat.txt", "[19:02] {host}: right, Christmas dinner at ours again, sitting down at {sit}. "
          "Who's bringing what? I'm doing the {meat}\n[19:05] {a}: roast potatoes and gravy\n"
          "[19:06] {b}: pud! {pudding} x\n[19:11] {c}: I'll bring drinks and crackers. Do you need the folding table? "
          "we've got one\n[19:12] {host}: yes please!! that makes {guests} of us then\n[19:15] {a}: can't wait",
          {"host": "first_name", "a": "first_name", "b": "first_name", "c": "first_name", "sit": ("1pm", "2pm", "3pm"),
           "meat": ("turkey", "goose", "beef", "nut roast"), "guests": ("nine", "ten", "eleven", "twelve"),
           "pudding": ("trifle", "sticky toffee pudding", "cheesecake", "Christmas pudding")},
          (("pudding", "What's {b} bringing for dessert?", "what's for pudding"),
           ("c", "Who's bringing the folding table?", "who has a spare table"),
           ("sit", "What time are we eating Christmas dinner?", "when do we sit down"),
           ("guests", "How many people are coming for Christmas dinner?", "how many of us will there be"),
           ("meat", "What's {host} cooking?", "what's the main thing {host} is making")),
          ("Who is bringing the vegetables?", "What time should we arrive?")),
    Scene("baby_day_for_grandma.md", "# {baby}'s day - notes for Grandma\n\n- up around 7, bottle straight away\n"
          "- first nap {nap1}ish, usually {nap_len}\n- lunch is {lunch}, it's in the fridge with her name on\n"
          "- second nap after lunch, in the pram is fine\n- she WON'T settle without {toy} (the {colour} rabbit), "
          "check the nappy bag\n- no honey yet!!\n\nDoctor is {gp} Surgery, {phone}. I'll pick her up at {pickup}. "
          "Love you, thank you x",
          {"baby": "first_name", "nap1": ("9.30", "10", "10.15"),
           "nap_len": ("45 minutes", "an hour", "an hour and a half"),
           "lunch": ("pasta and peas", "fish pie", "lentil soup", "scrambled egg"), "toy": "word", "colour": "colour",
           "gp": "word", "phone": "phone", "pickup": ("4pm", "4.30pm", "5.15pm", "6pm")},
          (("nap1", "When does {baby} have her morning nap?", "what time's the first nap"),
           ("nap_len", "How long does her first nap usually last?", "how long does {baby} sleep in the morning"),
           ("toy", "What's the name of {baby}'s comforter?", "which toy does she need to go to sleep"),
           ("lunch", "What's {baby} having for lunch?", "what do I give her for lunch"),
           ("phone", "What number do I ring if she's poorly?", "what's the doctor's number"),
           ("pickup", "When is {baby} being collected?", "what time is pick up")),
          ("Is {baby} allergic to anything?", "What time does she go to bed?")),
    Scene("moving_checklist.txt", "MOVING - {move_date}\n\n[x] notice to landlord\n[ ] redirect post (6 months, "
          "{redirect}) by {redirect_by}\n[ ] meter readings + photos of every room on the day\n"
          "[x] removals: {firm} Removals, van arriving {arrive}, quote was {quote}, cash on the day??\n"
          "[ ] keys for new place from {agent.first} at the agents, any time after {keys_time}\n"
          "[ ] ring: broadband, council tax, dentist, vet\n[ ] defrost freezer night before!!",
          {"move_date": "date", "redirect": ("£38", "£45", "£52"), "redirect_by": "day_month", "firm": "word",
           "arrive": ("7.30am", "8am", "8.30am"), "quote": ("£450", "£620", "£780", "£1,150"), "agent": "person",
           "keys_time": ("11am", "12pm", "1pm", "2pm")},
          (("move_date", "When are we moving?", "what's moving day"),
           ("firm", "Which removal company is booked?", "who's moving our stuff"),
           ("quote", "How much are the removals costing?", "what was the removal quote"),
           ("arrive", "What time is the removal van coming?", "when do the movers turn up"),
           ("agent.first", "Who do I get the new keys from?", "who at the agents has the keys"),
           ("keys_time", "From what time can we pick up the new keys?", "when can we collect the keys")),
          ("What's the new address?", "How big is the removal van?", "Who is minding the kids on moving day?")),
    Scene("wedding_venue_call.txt", "call w/ {venue} Hall re wedding - {call_date}\nspoke to {coord} (events "
          "coordinator) - v helpful\n\n- ceremony {ceremony}, drinks on the lawn after. wet weather = {room}\n"
          "- max {max_guests} for the meal, evening guests extra\n- final numbers by {final}\n"
          "- deposit {deposit} paid, balance due 6 wks before\n- NO confetti unless it's the dried petal kind\n"
          "- menu tasting {tasting} - ask Mum to come?",
          {"venue": "word", "call_date": "day_month", "coord": "person", "ceremony": ("12pm", "1pm", "1.30pm", "2pm"),
           "room": "room", "max_guests": ("80", "96", "110", "120"), "final": "day_month",
           "deposit": ("£500", "£1,000", "£1,500"), "tasting": "date"},
          (("coord", "Who's the events coordinator?", "who did I talk to at the venue"),
           ("room", "Where do the drinks go if it rains?", "what's the wet weather plan"),
           ("final", "When are final numbers due?", "by when does the venue need the guest count"),
           ("max_guests", "How many people can come to the meal?", "what's the maximum for the wedding breakfast"),
           ("tasting", "When's the menu tasting?", "when do we go and try the food")),
          ("How much is the balance?", "What's on the menu?", "Can we have a band?")),
    Scene("voicemail_courier.txt", "Voicemail - {received} - {phone}\n\n\"Yeah hiya, it's {driver.first} from the "
          "courier, I've got a parcel for number {house} but there's no one in. I've left it with your neighbour at "
          "number {neighbour_house}, the one with the {colour} door. If that's not alright just give us a ring back "
          "on this number, I'm round here till about {till}. Ta.\"\n\n[Transcribed automatically]",
          {"received": "time", "phone": "phone", "driver": "person", "house": "small_number",
           "neighbour_house": "small_number", "colour": "colour", "till": ("3pm", "4pm", "5pm", "six")},
          (("neighbour_house", "Where's my parcel been left?", "which house has my parcel"),
           ("colour", "What colour is the neighbour's door?", "how do I know which neighbour it is"),
           ("driver.first", "What's the driver's name?", "who left the voicemail"),
           ("phone", "What number do I ring the driver back on?", "how do I get hold of the courier"),
           ("till", "How long is the driver in the area?", "until what time is the driver around")),
          ("What's in the parcel?", "Who sent the parcel?")),
    Scene("dog_walker_text.txt", "hi {walker}! walk today as normal please but keep {dog} on the lead in {park} "
          "fields, the farmer's got sheep in. She's had breakfast so no treats till after. Back door key is under the "
          "{hide}, and there's {pay} on the side for you (this week + last week). Towel's on the hook for muddy paws. "
          "I'm back about {back} - {owner}",
          {"walker": "first_name", "dog": "word", "park": "word", "pay": ("£24", "£30", "£36"),
           "hide": ("blue plant pot", "frog ornament", "doormat", "bird bath"), "back": ("3", "4", "5.30", "6"),
           "owner": "first_name"},
          (("park", "Where does {dog} need to stay on the lead?", "which fields have sheep in"),
           ("hide", "Where's the back door key?", "where do they hide the key"),
           ("pay", "How much has been left for the walker?", "how much money is on the side"),
           ("back", "What time will {owner} be home?", "when's the owner back"),
           ("dog", "What's the dog called?", "what's the name of the dog I'm walking")),
          ("How long should the walk be?", "What time should the walk start?")),
    Scene("dinner_booking_thread.txt", "{me}: booked {rest} for tonight, {old_time}, table for {old_count}\n"
          "{me}: actually they only had {new_time} left so I took that\n{partner}: ok. {friend} just messaged, she's "
          "bringing people\n{me}: ugh fine, rang them back, it's {new_count} now\n{partner}: parking?\n"
          "{me}: car park round the back, {parking} after 6\n{partner}: great see you there",
          {"me": "first_name", "rest": "word", "old_time": ("7pm", "7.30pm"), "old_count": ("four", "six"),
           "new_time": ("8.15pm", "8.45pm", "9pm"), "partner": "first_name", "friend": "first_name",
           "new_count": ("seven", "eight", "nine"), "parking": ("free", "£2", "£3.50")},
          (("new_time", "What time is the table booked for?", "what time's dinner tonight"),
           ("new_count", "How many people is the booking for?", "how many of us are going"),
           ("rest", "Which restaurant did they book?", "where are we eating"),
           ("parking", "How much is parking after six?", "what does the car park cost in the evening"),
           ("friend", "Who's bringing extra people?", "who messaged about bringing others along")),
          ("Who's driving?", "What kind of food does {rest} do?")),
)
