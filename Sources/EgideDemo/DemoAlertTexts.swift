import App
import EgideCore
import Foundation

/// The words of the demo alerts: fictional defenders, places and events in French and English.
/// Every narrative ends by saying it is fictional, so a screenshot of the demo can never be
/// mistaken for a real case.
package enum DemoAlertTexts {
    // MARK: People and places

    package struct Names {
        /// First names with their spelling in the country's script, if it has another one.
        package var women: [(String, String?)]
        package var men: [(String, String?)]
        var surnames: [(String, String?)]
        /// Share of alerts written in the country's script (when it has one).
        var nativeShare: Double = 0
    }

    /// Common first names and surnames, combined at random. The deliberate duplicates
    /// (`duplicateSets`) use names that never appear here.
    package static let names: [String: Names] = [
        "CM": Names(
            women: ["Brigitte", "Mireille", "Sandrine", "Pélagie", "Grace", "Blessing", "Esther", "Clarisse", "Nadine", "Josiane", "Carine", "Rose"].map { ($0, nil) },
            men: ["Serge", "Armel", "Emmanuel", "Hervé", "Cyrille", "Rodrigue", "Divine", "Ebenezer", "Thierry", "Boris", "Samuel", "Franck"].map { ($0, nil) },
            surnames: ["Ngono", "Fotso", "Abena", "Tchoua", "Nkwain", "Tanyi", "Manga", "Ebogo", "Ndjock", "Fouda", "Tabi", "Kamga",
                       "Mvondo", "Ngwa", "Nanga", "Ondoua", "Ekane", "Tchinda", "Bella", "Awono"].map { ($0, nil) }),
        "CD": Names(
            women: ["Neema", "Solange", "Esther", "Rachel", "Chantal", "Jeanne", "Aline", "Furaha", "Sifa", "Riziki", "Nsimire", "Bora"].map { ($0, nil) },
            men: ["Patient", "Dieudonné", "Espoir", "Josué", "Fiston", "Trésor", "Prince", "Olivier", "Gloire", "Innocent", "Faustin", "Justin"].map { ($0, nil) },
            surnames: ["Kahindo", "Mapendo", "Kavira", "Mbuyi", "Nsimba", "Kasongo", "Bahati", "Feza", "Kambale", "Lwaboshi", "Mirindi",
                       "Kasereka", "Muhindo", "Ilunga", "Mutombo", "Baraka", "Amani", "Cirhuza", "Byamungu", "Zihindula"].map { ($0, nil) }),
        "TN": Names(
            women: [("Sana", "سناء"), ("Rim", "ريم"), ("Meriem", "مريم"), ("Amel", "أمل"), ("Yosra", "يسرى"), ("Olfa", "ألفة"), ("Ines", "إيناس"), ("Houda", "هدى")],
            men: [("Youssef", "يوسف"), ("Aymen", "أيمن"), ("Walid", "وليد"), ("Karim", "كريم"), ("Bilel", "بلال"), ("Hamza", "حمزة"), ("Slim", "سليم"), ("Anis", "أنيس")],
            surnames: [("Hammami", "حمامي"), ("Jlassi", "جلاصي"), ("Ayari", "عياري"), ("Khelifi", "خليفي"), ("Dridi", "دريدي"), ("Ferchichi", "فرشيشي"),
                       ("Zouari", "زواري"), ("Sassi", "ساسي"), ("Mejri", "ماجري"), ("Chaabane", "شعبان"), ("Mansouri", "منصوري"), ("Jaziri", "جزيري")],
            nativeShare: 0.25),
        "GE": Names(
            women: [("Tamar", "თამარ"), ("Mariam", "მარიამ"), ("Ana", "ანა"), ("Salome", "სალომე"), ("Natia", "ნათია"), ("Eka", "ეკა"), ("Tea", "თეა"), ("Maka", "მაკა")],
            men: [("Giorgi", "გიორგი"), ("Davit", "დავით"), ("Irakli", "ირაკლი"), ("Zurab", "ზურაბ"), ("Otar", "ოთარ"), ("Luka", "ლუკა"), ("Beka", "ბექა"), ("Sandro", "სანდრო")],
            surnames: [("Kapanadze", "კაპანაძე"), ("Lomidze", "ლომიძე"), ("Maisuradze", "მაისურაძე"), ("Gogoladze", "გოგოლაძე"), ("Kiknadze", "კიკნაძე"),
                       ("Tsiklauri", "წიკლაური"), ("Japaridze", "ჯაფარიძე"), ("Abashidze", "აბაშიძე"), ("Chkheidze", "ჩხეიძე"), ("Mikeladze", "მიქელაძე"),
                       ("Khutsishvili", "ხუციშვილი"), ("Dolidze", "დოლიძე")],
            nativeShare: 0.3),
        "BI": Names(
            women: ["Claudine", "Diane", "Alice", "Francine"].map { ($0, nil) },
            men: ["Fabrice", "Jean-Marie", "Gédéon", "Aimé"].map { ($0, nil) },
            surnames: ["Niyonzima", "Irakoze", "Hakizimana", "Niyongabo", "Ntakirutimana", "Nduwimana", "Ndikumana", "Manirakiza"].map { ($0, nil) }),
        "CF": Names(
            women: ["Nadège", "Carine", "Prisca", "Sylvie"].map { ($0, nil) },
            men: ["Arsène", "Rodrigue", "Fidèle", "Brice"].map { ($0, nil) },
            surnames: ["Ngaïkoumon", "Kossi", "Ouangando", "Sérémalé", "Gbazi", "Yakanda", "Ngbokoli", "Dambana"].map { ($0, nil) }),
        "TD": Names(
            women: ["Achta", "Zara", "Khadidja", "Haoua"].map { ($0, nil) },
            men: ["Ahmat", "Djimadoum", "Abdelkerim", "Nodjigoto"].map { ($0, nil) },
            surnames: ["Abakar", "Hassane", "Ngarlem", "Youssouf", "Ndilbé", "Djibrine", "Doumgor", "Allamine"].map { ($0, nil) }),
        "AM": Names(
            women: [("Lilit", "Լիլիթ"), ("Gayane", "Գայանե"), ("Ani", "Անի")],
            men: [("Armen", "Արմեն"), ("Narek", "Նարեկ"), ("Tigran", "Տիգրան")],
            surnames: [("Petrosyan", "Պետրոսյան"), ("Hakobyan", "Հակոբյան"), ("Grigoryan", "Գրիգորյան"), ("Vardanyan", "Վարդանյան")],
            nativeShare: 0.2),
    ]

    /// Towns, and the language alerts from there are usually written in (Cameroon's North-West and
    /// South-West regions write in English).
    static let regions: [String: (fr: [String], en: [String])] = [
        "CM": (["Yaoundé", "Douala", "Bertoua", "Maroua", "Ebolowa", "Kribi", "Bafoussam"], ["Bamenda", "Buea", "Kumba", "Limbe"]),
        "CD": (["Bukavu", "Goma", "Uvira", "Kinshasa", "Kisangani", "Lubumbashi", "Beni", "Walungu"], ["Goma", "Bukavu"]),
        "TN": (["Tunis", "Sfax", "Gafsa", "Sidi Bouzid", "Kasserine", "Gabès", "Bizerte", "Kairouan"],
               ["Tunis", "Sfax", "Gafsa", "Sidi Bouzid", "Kasserine", "Gabès", "Bizerte", "Kairouan"]),
        "GE": (["Tbilissi", "Batoumi", "Koutaïssi"], ["Tbilisi", "Batumi", "Kutaisi", "Zugdidi", "Gori", "Rustavi", "Telavi"]),
        "BI": (["Bujumbura", "Gitega", "Ngozi", "Makamba"], ["Bujumbura", "Gitega"]),
        "CF": (["Bangui", "Bambari", "Bossangoa", "Berbérati"], ["Bangui"]),
        "TD": (["N'Djamena", "Abéché", "Moundou", "Sarh"], ["N'Djamena"]),
        "AM": (["Erevan"], ["Yerevan", "Gyumri", "Vanadzor"]),
    ]

    /// Share of each country's alerts written in English.
    static let englishShare: [String: Double] = ["CM": 0.25, "CD": 0.05, "TN": 0.4, "GE": 1, "BI": 0.1, "CF": 0, "TD": 0.1, "AM": 1]

    static let dialCodes: [String: String] = ["CM": "237", "CD": "243", "TN": "216", "GE": "995", "BI": "257", "CF": "236", "TD": "235", "AM": "374"]

    /// Organisations named in alerts about an organisation (each used once, so none looks like a duplicate).
    static let organisations: [String: [String]] = [
        "CM": ["Association Mboa Verte", "Collectif des femmes du Littoral", "Voix des Grassfields", "Observatoire citoyen de l'Est"],
        "CD": ["Solidarité paysanne du Kivu", "Femmes debout Uvira", "Ligue pour la terre de Walungu", "Radio Amani Beni"],
        "TN": ["Association Horizons Égalité", "Collectif Mémoire et Justice", "Jeunes pour les libertés – Gafsa"],
        "GE": ["Open Media Lab Batumi", "Free Voices Tbilisi", "Mountain Rivers Watch"],
        "BI": ["Ligue Iteka des jeunes de Ngozi"],
        "CF": ["Observatoire des droits de Bambari"],
        "TD": ["Collectif des éleveurs du Ouaddaï"],
        "AM": ["Civic Watch Gyumri"],
    ]

    // MARK: What happened

    /// One kind of case: its field, categories, needs and how it reads in both languages.
    /// `{name}`, `{region}` and `{org}` are filled in; in French `{e}` is the feminine ending, `{il}`
    /// and `{Il}` the pronoun, `{le}` the article; in English `{he}`, `{He}`, `{him}`, `{his}`.
    struct Case {
        var work: FieldOfWork
        var categories: [String]
        var needs: [AlertNeed]
        var urgency: Urgency
        /// Countries where this kind of case is reported in the demo.
        var countries: [String]
        var fr: String
        var en: String
        /// Written in Arabic by a sender in Tunisia, for a man and for a woman (`{name}`, `{region}`).
        var ar: (man: String, woman: String)? = nil
        /// About an organisation rather than a person.
        var aboutOrganisation = false
        /// Written by the defender themselves.
        var firstPerson = false
        /// Only about women.
        var women = false
    }

    static let cases: [Case] = [
        Case(work: .journalism, categories: ["threats", "online_harassment"], needs: [.digitalSecurity, .psychological], urgency: .p2,
             countries: ["CM", "CD", "TN", "GE", "BI", "CF", "TD", "AM"],
             fr: "{name}, journaliste d'une radio communautaire à {region}, reçoit des menaces de mort par téléphone et sur les réseaux sociaux depuis la diffusion d'une enquête sur la gestion des fonds publics. Ses comptes font l'objet de tentatives de connexion répétées.",
             en: "{name}, a community radio journalist in {region}, has received death threats by phone and on social media since broadcasting an investigation into the use of public funds. There have been repeated attempts to log into {his} accounts."),
        Case(work: .landEnvironment, categories: ["arrest_detention", "physical_attack"], needs: [.legal, .medical], urgency: .p1,
             countries: ["CM", "CD", "TN", "BI", "CF"],
             fr: "{name}, militant{e} pour les droits fonciers à {region}, a été arrêté{e} lors d'un rassemblement pacifique contre l'extension d'une concession agro-industrielle. Des témoins rapportent des coups pendant l'interpellation. Sa famille n'a pas pu {le} voir depuis.",
             en: "{name}, a land rights activist in {region}, was arrested at a peaceful gathering against the expansion of an agro-industrial concession. Witnesses report beatings during the arrest. {His} family has not been allowed to see {him} since."),
        Case(work: .lgbtqi, categories: ["smear_campaign", "threats"], needs: [.relocation, .psychological], urgency: .p1,
             countries: ["CM", "TN", "GE", "AM"],
             fr: "{name}, militant{e} LGBTQI+ à {region}, a vu sa photo et son adresse publiées sur une page en ligne qui l'accuse de « corrompre la jeunesse ». Des inconnus se sont présentés à son domicile. {Il} dort chez des proches depuis trois nuits.",
             en: "An online page published the photo and home address of {name}, an LGBTQI+ activist in {region}, accusing {him} of \"corrupting young people\". Strangers came to {his} home. {He} has been staying with friends for three nights.",
             ar: (man: "نشرت صفحة على الإنترنت صورة {name}، الناشط في مجتمع الميم في {region}، وعنوان منزله، متهمةً إياه بـ«إفساد الشباب». حضر مجهولون إلى منزله، وهو يبيت عند أقاربه منذ ثلاث ليالٍ.",
                  woman: "نشرت صفحة على الإنترنت صورة {name}، الناشطة في مجتمع الميم في {region}، وعنوان منزلها، متهمةً إياها بـ«إفساد الشباب». حضر مجهولون إلى منزلها، وهي تبيت عند أقاربها منذ ثلاث ليالٍ.")),
        Case(work: .womensRights, categories: ["sexual_violence", "threats"], needs: [.medical, .psychological, .legal], urgency: .p1,
             countries: ["CD", "CM", "CF", "TD", "BI"],
             fr: "{name}, qui accompagne des survivantes de violences à {region}, a subi une agression sexuelle commise par deux hommes après une audience où elle soutenait une plaignante. Elle a reçu des soins mais craint des représailles si elle porte plainte.",
             en: "{name}, who supports survivors of violence in {region}, was sexually assaulted by two men after a hearing where she had accompanied a complainant. She has received care but fears reprisals if she files a complaint.",
             women: true),
        Case(work: .antiTorture, categories: ["judicial_harassment"], needs: [.legal], urgency: .p3,
             countries: ["CM", "CD", "TN", "GE", "TD"],
             fr: "Maître {name}, avocat{e} de personnes détenues à {region}, est poursuivi{e} pour « outrage à magistrat » après avoir dénoncé des mauvais traitements en garde à vue. L'audience est fixée dans deux semaines.",
             en: "{name}, a lawyer representing detainees in {region}, is being prosecuted for \"contempt of court\" after denouncing ill-treatment in police custody. The hearing is set for two weeks from now."),
        Case(work: .corruption, categories: ["surveillance", "online_harassment"], needs: [.digitalSecurity], urgency: .p3,
             countries: ["CM", "CD", "TN", "GE", "AM"],
             fr: "{name}, membre d'un collectif de lutte contre la corruption à {region}, a remarqué qu'une voiture stationne devant son bureau depuis une semaine. Son téléphone a reçu des liens piégés imitant sa banque.",
             en: "{name}, a member of an anti-corruption collective in {region}, has noticed a car parked outside {his} office for a week. {His} phone has received booby-trapped links posing as {his} bank."),
        Case(work: .minorityRights, categories: ["disappearance", "attack_on_family"], needs: [.legal, .psychological], urgency: .p1,
             countries: ["CD", "CM", "BI", "CF", "TD"],
             fr: "{name}, qui documente les discriminations contre une communauté minoritaire à {region}, n'a plus donné de nouvelles depuis qu'{il} a été vu{e} monter dans un véhicule sans plaque. Son frère a été interrogé le lendemain.",
             en: "{name}, who documents discrimination against a minority community in {region}, has not been heard from since {he} was seen getting into an unmarked vehicle. {His} brother was questioned the next day."),
        Case(work: .landEnvironment, categories: ["killing", "threats"], needs: [.relocation, .psychological], urgency: .p1,
             countries: ["CD", "CM", "CF", "BI"],
             fr: "Un membre du comité de défense des terres de {region} a été tué la semaine dernière. {name}, qui coordonne ce comité, a reçu un message disant qu'{il} serait « {le} prochain{e} ». Le comité demande une protection d'urgence.",
             en: "A member of the land defence committee in {region} was killed last week. {name}, who coordinates the committee, received a message saying {he} would be \"next\". The committee is asking for urgent protection."),
        Case(work: .other, categories: ["restrictive_law"], needs: [.legal], urgency: .p4,
             countries: ["GE", "TN", "CM", "AM", "BI"],
             fr: "{org}, association basée à {region}, est menacée de dissolution au titre d'une nouvelle loi sur les financements étrangers. Ses comptes bancaires sont gelés dans l'attente d'un contrôle.",
             en: "{org}, an association based in {region}, faces dissolution under a new law on foreign funding. Its bank accounts are frozen pending an inspection.",
             aboutOrganisation: true),
        Case(work: .labourRights, categories: ["physical_attack", "judicial_harassment"], needs: [.medical, .legal, .material], urgency: .p2,
             countries: ["CD", "CM", "TN", "TD"],
             fr: "{name}, délégué{e} syndical{e} dans une entreprise minière de {region}, a été frappé{e} par des agents de sécurité, puis licencié{e} et poursuivi{e} pour « incitation à la grève ».",
             en: "{name}, a union representative at a mining company in {region}, was beaten by security guards, then dismissed and charged with \"incitement to strike\"."),
        Case(work: .srhr, categories: ["smear_campaign", "threats"], needs: [.psychological, .digitalSecurity], urgency: .p3,
             countries: ["CM", "CD", "TN", "GE", "AM"],
             fr: "Le centre de santé où travaille {name}, défenseur{e} des droits sexuels et reproductifs à {region}, est visé par une campagne de dénigrement à la radio locale. {name} a reçu des menaces anonymes.",
             en: "The health centre where {name}, a sexual and reproductive rights defender in {region}, works is the target of a smear campaign on local radio. {name} has received anonymous threats."),
        Case(work: .journalism, categories: ["arrest_detention", "surveillance"], needs: [.legal, .material], urgency: .p2,
             countries: ["CM", "CD", "TN", "GE", "BI", "CF", "TD"],
             fr: "{name}, journaliste indépendant{e} à {region}, a été interpellé{e} à un poste de contrôle et son matériel a été saisi. Relâché{e} après 48 heures, {il} est convoqué{e} de nouveau la semaine prochaine.",
             en: "{name}, a freelance journalist in {region}, was stopped at a checkpoint and {his} equipment was seized. Released after 48 hours, {he} has been summoned again next week.",
             ar: (man: "{name}، صحفي مستقل في {region}، أُوقف عند نقطة تفتيش وصودرت معداته. أُطلق سراحه بعد 48 ساعة، وقد استُدعي من جديد الأسبوع المقبل.",
                  woman: "{name}، صحفية مستقلة في {region}، أُوقفت عند نقطة تفتيش وصودرت معداتها. أُطلق سراحها بعد 48 ساعة، وقد استُدعيت من جديد الأسبوع المقبل.")),
        Case(work: .womensRights, categories: ["attack_on_family", "threats"], needs: [.relocation, .material], urgency: .p2,
             countries: ["CD", "CM", "TN", "TD", "GE"],
             fr: "{name}, responsable d'une association de femmes à {region}, a vu la maison de sa famille incendiée pendant la nuit. Personne n'a été blessé. Des menaces avaient suivi une campagne contre les mariages forcés.",
             en: "The family home of {name}, who leads a women's association in {region}, was set on fire during the night. Nobody was injured. Threats had followed a campaign against forced marriage.",
             women: true),
        Case(work: .lgbtqi, categories: ["restrictive_law", "smear_campaign"], needs: [.legal, .digitalSecurity], urgency: .p3,
             countries: ["GE", "AM", "TN"],
             fr: "{org} signale qu'un projet de loi pénaliserait la « promotion » des relations entre personnes de même sexe. Ses membres sont désignés nommément dans des médias proches du pouvoir à {region}.",
             en: "{org} reports that a bill before parliament would criminalise the \"promotion\" of same-sex relationships. Its members are being named in pro-government media in {region}.",
             aboutOrganisation: true),
        Case(work: .other, categories: ["online_harassment", "surveillance"], needs: [.digitalSecurity], urgency: .p3,
             countries: ["CM", "CD", "TN", "GE", "AM", "BI"],
             fr: "{name}, défenseur{e} des droits humains à {region}, a vu sa messagerie piratée ; des échanges avec ses contacts ont été publiés. Des sources pourraient être exposées.",
             en: "The messaging account of {name}, a human rights defender in {region}, was hacked and conversations with {his} contacts were published. Sources may be exposed."),
        Case(work: .journalism, categories: ["threats"], needs: [.relocation, .psychological], urgency: .p2,
             countries: ["CM", "CD", "TN", "GE"],
             fr: "Je suis journaliste à {region}. Depuis mon dernier reportage, je reçois des appels anonymes la nuit et j'ai été suivi{e} en rentrant chez moi. Je ne sais pas si je dois quitter la ville.",
             en: "I am a journalist in {region}. Since my last report I get anonymous calls at night and I was followed home. I do not know whether I should leave the city.",
             firstPerson: true),
        Case(work: .lgbtqi, categories: ["online_harassment", "threats"], needs: [.digitalSecurity, .relocation], urgency: .p2,
             countries: ["CM", "TN", "GE", "AM"],
             fr: "Je suis militant{e} LGBTQI+ à {region}. Quelqu'un a créé un faux profil à mon nom et publie mon adresse. J'ai besoin d'aide pour sécuriser mes comptes, et peut-être pour déménager.",
             en: "I am an LGBTQI+ activist in {region}. Someone created a fake profile in my name and is posting my address. I need help to secure my accounts, and perhaps to move.",
             firstPerson: true),
        Case(work: .landEnvironment, categories: ["judicial_harassment"], needs: [.legal], urgency: .p3,
             countries: ["CM", "CD", "GE", "TN"],
             fr: "Je fais partie d'un collectif qui s'oppose à l'ouverture d'une carrière près de {region}. J'ai reçu une convocation de la gendarmerie pour « trouble à l'ordre public ». Nous avons besoin d'un avocat.",
             en: "I belong to a group opposing a new quarry near {region}. I have been summoned by the police for \"disturbing public order\". We need a lawyer.",
             firstPerson: true),
    ]

    /// A case outside the mandate (rejected as such).
    static let outOfMandate: [(fr: String, en: String)] = [
        ("{name} signale un litige avec son ancien employeur au sujet d'indemnités de licenciement à {region}. Aucune activité de défense des droits n'est mentionnée.",
         "{name} reports a dispute with a former employer over severance pay in {region}. No human rights work is mentioned."),
        ("{name} demande un financement pour un projet agricole à {region}, sans menace ni activité de défense des droits.",
         "A funding request for {name}'s farming project in {region}, with no threat and no human rights work involved."),
        ("{name} signale un conflit de voisinage au sujet d'une clôture à {region}.",
         "{name} reports a quarrel with a neighbour about a fence in {region}."),
    ]

    /// Too little to act on, and no way to write back (rejected for insufficient information).
    static let insufficient: [(fr: String, en: String)] = [
        ("Mon ami a des problèmes à {region}, il faut l'aider vite.", "My friend is in trouble in {region}, please help quickly."),
        ("Ils sont venus encore hier. Aidez-nous.", "They came again yesterday. Help us."),
        ("Situation grave à {region}, je ne peux pas en dire plus ici.", "Serious situation in {region}, I cannot say more here."),
    ]

    static let fictional = (fr: " (Alerte fictive — données de démonstration.)", en: " (Fictional alert — demonstration data.)",
                            ar: " (بلاغ وهمي — بيانات للعرض.)")

    /// The Tunisian regions as an Arabic-writing sender names them.
    static let arabicRegions = ["Sfax": "صفاقس", "Gafsa": "قفصة", "Tunis": "تونس", "Sidi Bouzid": "سيدي بوزيد", "Kasserine": "القصرين"]

    /// Fills the placeholders of `text` for a person who is a woman or not.
    static func fill(_ text: String, name: String, region: String, organisation: String, woman: Bool) -> String {
        let replacements: [(String, String)] = [
            ("{name}", name), ("{region}", region), ("{org}", organisation),
            ("{e}", woman ? "e" : ""), ("{il}", woman ? "elle" : "il"), ("{Il}", woman ? "Elle" : "Il"), ("{le}", woman ? "la" : "le"),
            ("{he}", woman ? "she" : "he"), ("{He}", woman ? "She" : "He"), ("{him}", woman ? "her" : "him"),
            ("{his}", woman ? "her" : "his"), ("{His}", woman ? "Her" : "His"),
        ]
        return replacements.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    // MARK: What the team, the verifiers and the senders write

    typealias Pair = (fr: String, en: String)

    static let triageNotes: [Pair] = [
        ("Risque immédiat pour la sécurité : appel prévu aujourd'hui.", "Immediate safety risk: call planned today."),
        ("Situation connue du partenaire local, à confirmer.", "The local partner knows the situation; to be confirmed."),
        ("Pas de danger immédiat ; suivi régulier.", "No immediate danger; regular follow-up."),
        ("Audience à venir : prévoir un soutien juridique.", "Hearing coming up: plan legal support."),
    ]

    static let comments: [Pair] = [
        ("Appel avec la personne : elle est en sécurité pour cette nuit.", "Spoke with them by phone: safe for tonight."),
        ("Avocat local contacté, date d'audience confirmée.", "Local lawyer contacted; hearing date confirmed."),
        ("Demandé au partenaire s'il connaît la famille.", "Asked the partner whether they know the family."),
        ("Budget d'urgence possible pour une relocalisation temporaire — voir avec la coordination.",
         "Emergency relocation budget may be available — check with the coordinator."),
        ("Pas de réponse sur Signal depuis hier ; nouvel essai demain matin.", "No answer on Signal since yesterday; trying again tomorrow morning."),
        ("Conseils de sécurité numérique envoyés (authentification à deux facteurs, sauvegardes).",
         "Digital security advice sent (two-factor authentication, backups)."),
    ]

    static let requestMessages: [Pair] = [
        ("Pouvez-vous vérifier l'identité de la personne et les faits décrits ? Merci de ne pas la contacter directement sans nous en parler.",
         "Could you verify the person's identity and the events described? Please do not contact them directly without checking with us first."),
        ("Merci de confirmer les faits auprès de vos contacts locaux.", "Please confirm the events with your local contacts."),
        ("Urgent : pouvez-vous confirmer d'ici demain ?", "Urgent: can you confirm by tomorrow?"),
    ]

    static let strongFindings: [Pair] = [
        ("Rencontre avec la personne et deux témoins ; documents de la procédure consultés. Les faits sont confirmés.",
         "Met the person and two witnesses; saw the court documents. The events are confirmed."),
        ("Notre équipe suit cette personne depuis deux ans ; certificat médical et photos vus. Faits confirmés.",
         "Our team has worked with this person for two years; we saw the medical certificate and photos. Events confirmed."),
    ]

    static let fairFindings: [Pair] = [
        ("Un membre de notre réseau connaît la personne et confirme les faits principaux ; nous n'avons pas vu de document.",
         "A member of our network knows the person and confirms the main events; we have not seen any document."),
        ("Faits confirmés par un journaliste local ; détails encore imprécis.", "Events confirmed by a local journalist; details still unclear."),
    ]

    static let weakFindings: [Pair] = [
        ("Aucune source locale ne confirme les faits ; la zone est difficile d'accès en ce moment.",
         "No local source confirms the events; the area is hard to reach at the moment."),
        ("Les témoignages recueillis se contredisent ; impossible de conclure.", "The accounts we gathered contradict each other; we cannot conclude."),
    ]

    static let declines: [Pair] = [
        ("Conflit d'intérêts : un membre de notre équipe est apparenté à la personne.", "Conflict of interest: a member of our team is related to the person."),
        ("Hors de notre zone : nous n'avons pas de contact dans cette région.", "Outside our area: we have no contact in that region."),
    ]

    static let senderUpdates: [Pair] = [
        ("Mise à jour : la convocation a été reportée au mois prochain.", "Update: the summons has been postponed to next month."),
        ("Libération hier soir, mais le téléphone n'a pas été rendu.", "Released last night, but the phone was not returned."),
        ("Nous avons trouvé un hébergement temporaire chez des proches.", "We found temporary accommodation with relatives."),
        ("De nouvelles menaces sont arrivées ce matin par SMS.", "New threats arrived by text message this morning."),
    ]

    static let grounds: [String: Pair] = [
        "verified": ("Vérifiée : les constats des partenaires concordent ; soutien d'urgence engagé.",
                     "Verified: the partners' findings agree; emergency support under way."),
        "not_verified": ("Non vérifiée : les constats ne permettent pas de confirmer les faits ; dossier conservé en cas d'éléments nouveaux.",
                         "Not verified: the findings do not confirm the events; kept on file in case new information comes in."),
        "out_of_mandate": ("Hors mandat : situation sans lien avec une activité de défense des droits humains ; orientation vers une autre structure.",
                           "Out of mandate: not related to human rights work; referred to another organisation."),
        "insufficient_information": ("Informations insuffisantes et aucun moyen de recontacter l'expéditeur.",
                                     "Not enough information and no way to contact the sender."),
        "closed_after_verified": ("Clôturée : soutien apporté (relocalisation temporaire, frais d'avocat) ; suivi assuré par le partenaire.",
                                  "Closed: support given (temporary relocation, legal fees); the partner follows up."),
        "closed_after_triage": ("Clôturée : information transmise au réseau, pas d'action de protection requise.",
                                "Closed: information shared with the network, no protection action needed."),
        "closed_untriaged": ("Clôturée : l'expéditeur indique que la situation est réglée.", "Closed: the sender says the situation is resolved."),
    ]
}
